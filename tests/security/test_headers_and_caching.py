"""No browser feature the service does not use is open to a page, no case page or API answer
is kept in a cache, and no case content is carried in a cookie."""

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from panels import services as panel_services
from referrals.api.tokens import api_token_issue
from tests.panels.conftest import room, started_room  # noqa: F401

STATIC_FILE = "/static/app/app.css"
DENIED_FEATURES = ["camera", "microphone", "geolocation", "payment", "usb"]


def denied_features(response) -> set[str]:
    header = response.headers.get("Permissions-Policy", "")
    return {
        directive.split("=")[0].strip()
        for directive in header.split(",")
        if directive.strip().endswith("=()")
    }


def assert_not_stored(response):
    cache_control = {part.strip() for part in response.headers.get("Cache-Control", "").split(",")}
    assert "no-store" in cache_control, response.headers.get("Cache-Control")
    assert response.headers.get("Pragma") == "no-cache"


# --- Permissions-Policy -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/healthz", "/api/v1/referrals/", STATIC_FILE])
def test_every_response_denies_the_camera_microphone_location_payment_and_usb(client, path):
    response = client.get(path)

    assert set(DENIED_FEATURES) <= denied_features(response)


def test_a_case_page_denies_the_powerful_features_too(client, world):
    client.force_login(world.people["lead_a"])

    response = client.get(f"/referrals/{world.referral.pk}/")

    assert response.status_code == 200
    assert set(DENIED_FEATURES) <= denied_features(response)


# --- Caching ------------------------------------------------------------------------------------


def test_a_case_page_is_never_stored_by_a_browser_or_proxy(client, world):
    client.force_login(world.people["lead_a"])

    response = client.get(f"/referrals/{world.referral.pk}/")

    assert response.status_code == 200
    assert_not_stored(response)


def test_an_api_answer_is_never_stored(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(person=world.people['lead_a'])}")

    listed = api.get("/api/v1/referrals/")
    read = api.get(f"/api/v1/referrals/{world.referral.pk}/")

    assert listed.status_code == read.status_code == 200
    assert_not_stored(listed)
    assert_not_stored(read)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/sign-in/", "/api/v1/referrals/", "/no-such-page/"])
def test_pages_errors_and_refusals_are_never_stored_either(client, path):
    assert_not_stored(client.get(path))


@pytest.mark.django_db
def test_static_files_keep_their_own_caching(client):
    response = client.get(STATIC_FILE)

    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert "Pragma" not in response.headers


# --- Messages ------------------------------------------------------------------------------------


def test_messages_are_kept_in_the_session_never_in_a_cookie():
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.session.SessionStorage"


def test_a_chairs_losing_edit_keeps_the_case_note_out_of_every_cookie(client, started_room):  # noqa: F811
    started = started_room
    case = started.cases[0]
    panel_services.item_save_notes(
        actor=started.people["coordinator"],
        meeting=started.meeting,
        item_id=case.pk,
        text="The coordinator's notes",
        version=0,
    )
    client.force_login(started.people["chair"])
    note = "Seen with an older male in a blue car on Friday"

    lost = client.post(
        reverse("panels:meeting-command", args=[started.meeting.pk]),
        {"command": "save_notes", "item": case.pk, "text": note, "version": 0},
    )
    page = client.get(reverse("panels:meeting", args=[started.meeting.pk]))

    assert lost.status_code == 302
    assert "messages" not in lost.cookies
    for cookie in lost.cookies.values():
        assert "blue car" not in cookie.value
    # The person is still given their text back, from the session.
    assert note in page.content.decode()
