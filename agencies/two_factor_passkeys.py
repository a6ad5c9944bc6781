"""Passkeys and security keys (WebAuthn), through django-otp-webauthn, as a second factor only.

The library's four JSON views are used with this service's rules added: registering a passkey
is for a person setting up their first factor at sign-in, or one who has just confirmed it is
them (the same rule as the other sign-in security changes); using one needs the password
first (passwordless sign-in is off); each passkey added and each refused is audited (services
in agencies.two_factor), and a passkey accepted marks the session verified as a code does.
The library's own script (static django_otp_webauthn/*.js) drives the browser's side; the
pages give it its configuration as JSON, never as inline script.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import JsonResponse
from django.middleware import csrf
from django.urls import reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import exceptions
from django_otp_webauthn import views as library
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.utils import rewrite_exceptions

from agencies import audit, two_factor


def relying_party_id(request) -> str:
    """WEBAUTHN_RP_ID, else the host the person is using (Django has checked it against
    ALLOWED_HOSTS): a passkey belongs to the name it was made at."""
    return settings.WEBAUTHN_RP_ID or urlsplit(f"//{request.get_host()}").hostname or ""


class PasskeyHelper(WebAuthnHelper):
    """The library's helper, with the origins this deployment answers passkeys from."""

    def get_allowed_origins(self) -> list[str]:
        origins = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        if not settings.PRODUCTION:
            # localhost on any port is a secure context: the demo and the browser tests.
            origin = f"{self.request.scheme}://{self.request.get_host()}"
            if urlsplit(origin).hostname == "localhost" and origin not in origins:
                origins.append(origin)
        return origins


def configuration(request) -> dict:
    """What the library's script needs, for the page to give it with json_script."""
    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": csrf.get_token(request),
        "beginAuthenticationUrl": reverse("passkey-authentication-begin"),
        "completeAuthenticationUrl": reverse("passkey-authentication-complete"),
        "beginRegistrationUrl": reverse("passkey-registration-begin"),
        "completeRegistrationUrl": reverse("passkey-registration-complete"),
    }


def may_add_factor(request) -> bool:
    """A person adds a factor while setting up their first at sign-in, or having confirmed it is
    them within SECOND_FACTOR_STEP_UP_SECONDS."""
    user = request.user
    if not two_factor.is_enrolled(user):
        return True
    return user.is_verified() and two_factor.verified_recently(request.session)


class NotRecentlyConfirmed(exceptions.OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Confirm it is you again before you add a passkey."
    default_code = "confirm_again"


class RegistrationRules:
    def check_can_register(self):
        if not may_add_factor(self.request):
            raise NotRecentlyConfirmed()


class PasskeyRegistrationBegin(RegistrationRules, library.BeginCredentialRegistrationView):
    pass


class PasskeyRegistrationComplete(RegistrationRules, library.CompleteCredentialRegistrationView):
    """The library's registration, with the passkey named and audited in its transaction; the
    first factor set up at sign-in also marks the session verified."""

    def post(self, *args, **kwargs):
        user = self.get_user()
        state = self.get_state()
        was_verified = self.request.user.is_verified()
        logger = library._get_pywebauthn_logger()
        with rewrite_exceptions(logger=logger), transaction.atomic():
            device = self.get_helper().register_complete(
                user=user, state=state, data=self.request.data
            )
            two_factor.passkey_added_record(
                actor=user, passkey=device, address=audit.client_address(self.request)
            )
        if not was_verified:
            two_factor.mark_session_verified(self.request, device)
        return JsonResponse({"id": device.pk})


class PasskeyAuthenticationBegin(library.BeginCredentialAuthenticationView):
    pass


class PasskeyAuthenticationComplete(library.CompleteCredentialAuthenticationView):
    """The library's check of the passkey; a refusal is audited, a success marks the session
    verified now (for step-up too)."""

    def post(self, *args, **kwargs):
        user = self.get_user()
        purpose = "confirming it is them" if user.is_verified() else "sign-in"
        address = audit.client_address(self.request)
        try:
            state = self.get_state()
            with rewrite_exceptions(logger=library._get_pywebauthn_logger()):
                device = self.get_helper().authenticate_complete(
                    user=user, state=state, data=self.request.data
                )
            self.check_device_usable(device)
        except exceptions.OTPWebAuthnApiError as exc:
            two_factor.passkey_failure_record(
                actor=user,
                address=address,
                purpose=purpose,
                detail=f"a passkey the service could not accept ({exc.code})",
            )
            raise
        two_factor.mark_session_verified(self.request, device)
        return JsonResponse(self.get_success_data(device))


def passkey_js_catalog(request):
    """The library script's gettext(), as a served script (no inline script under the CSP)."""
    return JavaScriptCatalog.as_view(packages=["django_otp_webauthn"])(request)
