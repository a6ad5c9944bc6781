import pytest

from agencies import demo


@pytest.fixture
def demo_borough(db):
    """The fictional borough of Fenmarsh, as `seed_demo` loads it."""
    return demo.seed_people()


@pytest.fixture
def demo_referrals(demo_borough):
    from referrals import demo as referral_demo

    seeded = referral_demo.seed_referrals(demo_borough["people"], demo_borough["agencies"])
    referral_demo.seed_break_glass(demo_borough["people"], demo_borough["agencies"])
    return {**demo_borough, **seeded}


# --- Signing in through the test client passes the second factor too -----------------------


def pass_second_factor(session, user) -> None:
    """Mark `session` as having passed its second factor just now, with a test authenticator
    of the person's (made once), as django_otp.login and the second-factor page do."""
    import time

    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies import two_factor

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[two_factor.VERIFIED_AT] = int(time.time())


@pytest.fixture(autouse=True)
def _test_client_sign_in_passes_the_second_factor(monkeypatch):
    """`client.force_login(user)` and `client.login(...)` give a session that has passed its
    second factor, as a person's does once they have given it: pages, the API and sockets all
    want one. A client with `second_factor_pending = True` signs in with the password alone
    (tests/agencies/test_two_factor*.py)."""
    from django.test.client import ClientMixin

    password_only = ClientMixin._login

    def _login(self, user, backend=None):
        password_only(self, user, backend)
        if not getattr(self, "second_factor_pending", False):
            session = self.session
            pass_second_factor(session, user)
            session.save()

    monkeypatch.setattr(ClientMixin, "_login", _login)


def second_factor_code(user) -> str:
    """A code the person's authenticator app would show now that the service will take: one
    later than the last it took (each code signs in once), made for a person without an app."""
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agencies import two_factor

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by(
        "pk"
    ).first() or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    now = time.time()
    step = max(int(now) // device.step, device.last_t + 1)
    if step > int(now) // device.step + device.tolerance:
        time.sleep(step * device.step - device.tolerance * device.step - now + 0.1)
    return two_factor.current_code(device.key, at=step * device.step)


def pass_second_factor_page(client, user, *, follow: bool = False):
    """After the password: give the second-factor page a code, as the person would."""
    response = client.post(
        "/sign-in/second-factor/", {"code": second_factor_code(user)}, follow=follow
    )
    first = response.redirect_chain[0][1] if follow else response.status_code
    assert first == 302, response.content.decode()[:2000]
    return response
