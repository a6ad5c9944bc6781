"""Every page sends a strict Content-Security-Policy, and no page carries inline script or style."""

import re

import pytest

from agencies.demo import DEMO_PASSWORD

ANONYMOUS_PAGES = ["/sign-in/", "/healthz", "/admin/login/"]
SIGNED_IN_PAGES = ["/", "/admin/"]

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


def assert_strict_csp(response):
    policy = response.headers.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_send_a_csp_without_unsafe_inline(client, path):
    assert_strict_csp(client.get(path))


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_send_a_csp_without_unsafe_inline(
    client, demo_borough, django_user_model, path
):
    if path.startswith("/admin/"):
        # The Django admin admits only the break-fix superuser, who holds no demo role.
        client.force_login(django_user_model.objects.create_superuser("breakfix", password=None))
    else:
        client.login(username="admin.fenmarsh", password=DEMO_PASSWORD)
    response = client.get(path)

    assert response.status_code == 200
    assert_strict_csp(response)


@pytest.mark.parametrize("path", ["/", "/sign-in/"])
def test_service_pages_carry_no_inline_script_or_style(client, demo_borough, path):
    if path == "/":
        client.login(username="sam.whitlock", password=DEMO_PASSWORD)
    html = client.get(path).content.decode()

    assert not INLINE_SCRIPT.findall(html)
    assert not INLINE_STYLE.findall(html)


def assert_private(response):
    """No browser feature the service does not use, and nothing kept in a cache."""
    permissions = response.headers.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in permissions
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert response.headers.get("Pragma") == "no-cache"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_anonymous_pages_deny_powerful_features_and_are_never_stored(client, path):
    assert_private(client.get(path))


@pytest.mark.parametrize("path", SIGNED_IN_PAGES)
def test_signed_in_pages_deny_powerful_features_and_are_never_stored(
    client, demo_borough, django_user_model, path
):
    if path.startswith("/admin/"):
        client.force_login(django_user_model.objects.create_superuser("breakfix", password=None))
    else:
        client.login(username="admin.fenmarsh", password=DEMO_PASSWORD)

    assert_private(client.get(path))
