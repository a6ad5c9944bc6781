"""Rows of the access matrix for the second-factor pages (docs/sign-in.md).

Everyone signed in (the matrix's client has passed its second factor, tests/conftest.py) may
open their own second-factor and sign-in security pages; nobody reaches another person's
factor (404). Only the system administrator resets someone's second factor. The passkey
endpoints answer JSON: without the password first, 403; a completion without its ceremony
begun, 400. Their own messages script is public, as the sign-in page is.
"""

from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.agencies.matrix import SIGNED_IN, everyone, only


def _referrer_a_app(w):
    device = TOTPDevice.objects.create(user=w.people["referrer_a"], name="Phone", confirmed=True)
    return f"/account/security/app/{device.pk}/remove/"


def _json(status, anonymous=403):
    return dict.fromkeys(SIGNED_IN, status) | {"anonymous": anonymous}


TWO_FACTOR_DOORS = {
    "second-factor": ("get", lambda w: "/sign-in/second-factor/", None, everyone(200)),
    "second-factor-recovery": (
        "get",
        lambda w: "/sign-in/second-factor/recovery-code/",
        None,
        everyone(200),
    ),
    # Already set up: on to the sign-in security page.
    "second-factor-set-up": (
        "get",
        lambda w: "/sign-in/second-factor/set-up/",
        None,
        everyone(302),
    ),
    "second-factor-set-up-app": (
        "get",
        lambda w: "/sign-in/second-factor/set-up/authenticator-app/",
        None,
        everyone(200),
    ),
    "second-factor-set-up-passkey": (
        "get",
        lambda w: "/sign-in/second-factor/set-up/passkey/",
        None,
        everyone(200),
    ),
    "second-factor-set-up-done": (
        "get",
        lambda w: "/sign-in/second-factor/set-up/done/",
        None,
        everyone(302),
    ),
    # Shown once, straight after they are made; else back to sign-in security.
    "second-factor-recovery-codes": (
        "get",
        lambda w: "/sign-in/second-factor/recovery-codes/",
        None,
        everyone(302),
    ),
    "passkey-authentication-begin": (
        "post",
        lambda w: "/sign-in/passkey/begin/",
        {},
        _json(200),
    ),
    "passkey-authentication-complete": (
        "post",
        lambda w: "/sign-in/passkey/complete/",
        {},
        _json(400),
    ),
    "passkey-registration-begin": (
        "post",
        lambda w: "/sign-in/passkey/registration/begin/",
        {},
        _json(200),
    ),
    "passkey-registration-complete": (
        "post",
        lambda w: "/sign-in/passkey/registration/complete/",
        {},
        _json(400),
    ),
    "passkey-js-catalog": (
        "get",
        lambda w: "/sign-in/passkey/messages.js",
        None,
        everyone(200, anonymous=200),
    ),
    "account-security": ("get", lambda w: "/account/security/", None, everyone(200)),
    "account-security-remove": ("get", _referrer_a_app, None, only({"referrer_a": 200})),
    "account-security-recovery-codes": (
        "post",
        lambda w: "/account/security/recovery-codes/new/",
        {},
        everyone(302),
    ),
    "person-second-factor-reset": (
        "get",
        lambda w: f"/manage/people/{w.people['referrer_a'].pk}/second-factor/reset/",
        None,
        only({"sysadmin": 200}, default=403),
    ),
}
