"""Second factors: what a person holds besides their password, and every write about them.

A person's factors are django-otp devices: authenticator apps (`TOTPDevice`), passkeys and
security keys (`WebAuthnCredential`, django-otp-webauthn) and one set of ten single-use recovery
codes (`StaticDevice`). A device in use is `confirmed`; nothing a person does deletes one:
removing a factor, replacing the recovery codes and an administrator's reset mark devices
unconfirmed (django-otp then refuses them, and a session they verified stops counting), each
with its audit row. Used recovery codes are the one exception, as django-otp consumes them.

The services take plain values, never the request: the views (agencies.two_factor_views) mark
the session verified (`mark_session_verified`) after a service has accepted a factor.
"""

import time
from base64 import b32decode, b32encode
from binascii import hexlify
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

import access
from agencies import audit, sockets

RECOVERY_CODE_COUNT = 10
RECOVERY_DEVICE_NAME = "Recovery codes"
# When this session last passed a second factor (whole seconds since the epoch): step-up asks
# again once it is older than SECOND_FACTOR_STEP_UP_SECONDS.
VERIFIED_AT = "second_factor_verified_at"

# The demo borough's authenticator secret (seed_demo), clearly fictional and printed for all to
# see: refused as a second factor in production, however it got there.
DEMO_TOTP_SECRET = "FENMARSHDEMOFENMARSHDEMOFENMARSH"  # noqa: S105 - demo only, refused in production
DEMO_TOTP_KEY = hexlify(b32decode(DEMO_TOTP_SECRET)).decode()

KINDS = {"app": TOTPDevice, "passkey": WebAuthnCredential, "codes": StaticDevice}


class SecondFactorError(Exception):
    """A factor refused or an action not allowed; the message is for the person."""


@dataclass(frozen=True)
class Factor:
    """One of a person's factors, as the sign-in security page lists it."""

    kind: str  # "app" or "passkey"
    device: Device

    @property
    def kind_label(self) -> str:
        return "Authenticator app" if self.kind == "app" else "Passkey or security key"

    @property
    def added_at(self):
        return getattr(self.device, "created_at", None)

    @property
    def last_used_at(self):
        return getattr(self.device, "last_used_at", None)


# --- Reads --------------------------------------------------------------------------------


def factors_of(person) -> list[Factor]:
    """The person's authenticator apps and passkeys in use, oldest first."""
    apps = TOTPDevice.objects.devices_for_user(person, confirmed=True).order_by("pk")
    keys = WebAuthnCredential.objects.devices_for_user(person, confirmed=True).order_by("pk")
    return [Factor("app", d) for d in apps] + [Factor("passkey", d) for d in keys]


def is_enrolled(person) -> bool:
    """Whether the person has an authenticator app or a passkey in use (recovery codes alone
    are not enough: they are for when the others are lost)."""
    return (
        TOTPDevice.objects.devices_for_user(person, confirmed=True).exists()
        or WebAuthnCredential.objects.devices_for_user(person, confirmed=True).exists()
    )


def has_passkey(person) -> bool:
    return WebAuthnCredential.objects.devices_for_user(person, confirmed=True).exists()


def recovery_codes_left(person) -> int:
    return StaticToken.objects.filter(device__user=person, device__confirmed=True).count()


def verified_recently(session, *, now: int | None = None) -> bool:
    """Whether the session passed its second factor within SECOND_FACTOR_STEP_UP_SECONDS."""
    stamp = session.get(VERIFIED_AT)
    now = int(time.time()) if now is None else now
    return stamp is not None and now - stamp < settings.SECOND_FACTOR_STEP_UP_SECONDS


def mark_session_verified(request, device) -> None:
    """The session has passed its second factor with `device`, now (django_otp.login)."""
    otp_login(request, device)
    request.session[VERIFIED_AT] = int(time.time())


def new_authenticator_key() -> str:
    """A fresh secret for an authenticator app: 20 random bytes, hex (django-otp's form)."""
    return TOTPDevice().key


def secret_for_people(key: str) -> str:
    """The key as people type it into an authenticator app: base32, in groups of four."""
    text = b32encode(bytes.fromhex(key)).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def authenticator_uri(*, key: str, person) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return TOTPDevice(key=key, user=person).config_url


def current_code(key: str, *, at: float | None = None) -> str:
    """The code an authenticator app with this key shows now (for the demo and for tests)."""
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6)
    totp.time = time.time() if at is None else at
    return f"{totp.token():06d}"


def _demo_refused(device) -> bool:
    return (
        isinstance(device, TOTPDevice)
        and device.key.lower() == DEMO_TOTP_KEY
        and settings.DJANGO_ENV == "production"
    )


def _clean_code(code: str) -> str:
    return "".join(code.split()).replace("-", "")


# --- Enrolment ----------------------------------------------------------------------------


@transaction.atomic(durable=True)
def authenticator_app_add(
    *, actor: AbstractBaseUser, key: str, code: str, name: str = "", address: str | None = None
) -> TOTPDevice:
    """Add an authenticator app once the person has typed the code it shows for `key` (so the
    app and the service agree before it counts)."""
    code = _clean_code(code)
    checker = TOTPDevice(user=actor, key=key, confirmed=False)
    totp = TOTP(checker.bin_key, checker.step, checker.t0, checker.digits)
    totp.time = time.time()
    if not (code.isdigit() and totp.verify(int(code), tolerance=checker.tolerance)):
        raise SecondFactorError(
            "The code is not right: enter the 6-digit code your authenticator app shows now"
        )
    if key.lower() == DEMO_TOTP_KEY and settings.DJANGO_ENV == "production":
        raise SecondFactorError("The demo authenticator cannot be used on this system")
    count = TOTPDevice.objects.filter(user=actor).count()
    device = TOTPDevice.objects.create(
        user=actor,
        key=key,
        name=(name.strip() or f"Authenticator app {count + 1}")[:64],
        confirmed=True,
        drift=totp.drift,
        last_t=totp.t(),  # the code just typed cannot be used again to sign in
    )
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=device,
        address=address,
        detail=f"Second factor added: authenticator app “{device.name}”",
    )
    return device


@transaction.atomic  # inside the registration's own transaction (two_factor_passkeys)
def passkey_added_record(
    *, actor: AbstractBaseUser, passkey: WebAuthnCredential, address: str | None = None
) -> WebAuthnCredential:
    """Name and audit a passkey django-otp-webauthn has just registered for the person."""
    count = WebAuthnCredential.objects.filter(user=actor).count()
    passkey.name = f"Passkey {count}"
    passkey.save(update_fields=["name"])
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=passkey,
        address=address,
        detail=f"Second factor added: passkey or security key “{passkey.name}”",
    )
    return passkey


@transaction.atomic(durable=True)
def recovery_codes_issue(*, actor: AbstractBaseUser, address: str | None = None) -> list[str]:
    """Ten new single-use recovery codes, to be shown once; any earlier ones stop working
    (their set is kept, unconfirmed)."""
    replaced = StaticDevice.objects.filter(user=actor, confirmed=True).update(confirmed=False)
    device = StaticDevice.objects.create(user=actor, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(
        actor=actor,
        action=audit.Action.CREATED,
        obj=device,
        address=address,
        detail=f"Second factor: {RECOVERY_CODE_COUNT} new recovery codes"
        + (" (the earlier ones no longer work)" if replaced else ""),
    )
    return codes


# --- Verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Verification:
    device: Device | None
    error: str = ""


def _refusal(*, actor, address, what: str, purpose: str, message: str) -> Verification:
    audit.record(
        actor=actor,
        action=audit.Action.SIGN_IN_FAILED,
        obj=actor,
        address=address,
        detail=f"Second factor refused ({purpose}): {what}",
    )
    return Verification(device=None, error=message)


def _wait_message(locked_until) -> str:
    seconds = max(1, int((locked_until - timezone.now()).total_seconds()) + 1)
    wait = f"{seconds} seconds" if seconds < 120 else f"{(seconds + 59) // 60} minutes"
    return f"Too many wrong codes. Wait {wait}, then enter the code your app shows then"


@transaction.atomic(durable=True)
def authenticator_code_check(
    *, actor: AbstractBaseUser, code: str, address: str | None = None, purpose: str = "sign-in"
) -> Verification:
    """Check a code from one of the person's authenticator apps. Each wrong code in a row doubles
    the wait before the next is tried (django-otp's throttling, OTP_TOTP_THROTTLE_FACTOR), and
    every refusal is audited."""
    devices = list(TOTPDevice.objects.devices_for_user(actor, confirmed=True).select_for_update())
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed:
            return _refusal(
                actor=actor,
                address=address,
                purpose=purpose,
                what="a code tried too soon after wrong ones",
                message=_wait_message(details["locked_until"]),
            )
    code = _clean_code(code)
    for device in devices:
        if device.verify_token(code):
            if _demo_refused(device):
                return _refusal(
                    actor=actor,
                    address=address,
                    purpose=purpose,
                    what="the demo authenticator, in production",
                    message="The demo authenticator cannot be used on this system",
                )
            return Verification(device=device)
    return _refusal(
        actor=actor,
        address=address,
        purpose=purpose,
        what="a wrong code from an authenticator app",
        message="The code is not right: enter the 6-digit code your authenticator app shows now",
    )


@transaction.atomic(durable=True)
def recovery_code_use(
    *, actor: AbstractBaseUser, code: str, address: str | None = None, purpose: str = "sign-in"
) -> Verification:
    """Use one of the person's recovery codes (it then stops working), audited either way."""
    device = (
        StaticDevice.objects.devices_for_user(actor, confirmed=True).select_for_update().first()
    )
    if device is None:
        return _refusal(
            actor=actor,
            address=address,
            purpose=purpose,
            what="a recovery code, with none issued",
            message="The recovery code is not right",
        )
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return _refusal(
            actor=actor,
            address=address,
            purpose=purpose,
            what="a recovery code tried too soon after wrong ones",
            message=_wait_message(details["locked_until"]).replace(
                "the code your app shows then", "a recovery code"
            ),
        )
    if not device.verify_token(_clean_code(code).lower()):
        return _refusal(
            actor=actor,
            address=address,
            purpose=purpose,
            what="a wrong recovery code",
            message="The recovery code is not right: enter one of your 8-character codes",
        )
    left = device.token_set.count()
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=device,
        address=address,
        detail=f"Second factor: a recovery code used ({purpose}); {left} left",
    )
    return Verification(device=device)


@transaction.atomic(durable=True)
def passkey_failure_record(
    *, actor: AbstractBaseUser, detail: str, address: str | None = None, purpose: str = "sign-in"
) -> None:
    """A passkey the service could not accept (django-otp-webauthn refused it)."""
    _refusal(actor=actor, address=address, purpose=purpose, what=detail[:200], message="")


# --- Removal and reset --------------------------------------------------------------------


def device_of(person, *, kind: str, pk: int) -> Device:
    """One of the person's own factors in use (SecondFactorError when there is none)."""
    model = KINDS.get(kind)
    device = model and model.objects.filter(user=person, pk=pk, confirmed=True).first()
    if device is None or kind == "codes":
        raise SecondFactorError("There is no such authenticator or passkey")
    return device


@transaction.atomic(durable=True)
def factor_remove(
    *, actor: AbstractBaseUser, kind: str, pk: int, reason: str, address: str | None = None
) -> Device:
    """A person stops using one of their factors. It is kept, unconfirmed (django-otp then
    refuses it), with who, when and why in the trail. The last one cannot go: a person always
    has a way to sign in."""
    device = device_of(actor, kind=kind, pk=pk)
    if len(factors_of(actor)) <= 1:
        raise SecondFactorError(
            "Add another authenticator app or passkey before you remove your only one"
        )
    type(device).objects.filter(pk=device.pk).update(confirmed=False)
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=device,
        address=address,
        reason=reason,
        detail=f"Second factor removed: “{device.name}”",
    )
    # A socket opened with a session this device verified closes.
    sockets.recheck_sockets_on_commit(user_ids=[actor.pk])
    return device


@transaction.atomic(durable=True)
def second_factor_reset(
    *, actor: AbstractBaseUser, person: AbstractBaseUser, reason: str, address: str | None = None
) -> int:
    """An administrator resets a person's second factor (they lost their phone and their
    codes): every factor and recovery code is kept but stops working, the person's sessions
    and sockets stop counting as verified, and they set up a new one at their next sign-in.
    The number of devices that stopped working."""
    access.require_can_change_access_of(actor, person)
    if not reason.strip():
        raise SecondFactorError("Enter why their second factor is being reset")
    stopped = sum(
        model.objects.filter(user=person, confirmed=True).update(confirmed=False)
        for model in (TOTPDevice, WebAuthnCredential, StaticDevice)
    )
    audit.record(
        actor=actor,
        action=audit.Action.CHANGED,
        obj=person,
        address=address,
        reason=reason,
        detail=f"Second factor reset for {person.get_username()}: {stopped} stopped working; "
        "they set up a new one at their next sign-in",
    )
    sockets.recheck_sockets_on_commit(user_ids=[person.pk])
    return stopped
