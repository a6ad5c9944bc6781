"""Signing the benchmarks' people in as the project does: Django's own login() through the
test client, then past the second factor where the project asks for one (a test
authenticator, as tests/conftest.py does), so the pages answer 200 rather than send the
person to the second-factor page."""

import time


def pass_second_factor(client, user) -> None:
    """Mark the client's session as having passed its second factor just now."""
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies import two_factor

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    device = device or TOTPDevice.objects.create(
        user=user, name="Benchmark authenticator", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[two_factor.VERIFIED_AT] = int(time.time())
    session.save()


def signed_in_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    pass_second_factor(client, user)
    return client


def patch_test_client() -> None:
    """Every later `client.force_login(user)` in this process passes the second factor too."""
    from django.test.client import ClientMixin

    password_only = ClientMixin._login

    def _login(self, user, backend=None):
        password_only(self, user, backend)
        pass_second_factor(self, user)

    ClientMixin._login = _login
