"""The doors a second factor guards.

- Every page: a person signed in with their password alone reaches only the second-factor
  pages (and signing out) until they pass one; the rest send them there and back
  (`SecondFactorRequiredMiddleware`, after django-otp's OTPMiddleware).
- The API: a browser session counts only once verified (`VerifiedSessionAuthentication`); an API
  token is machine-to-machine and stays as it is.
- Sockets: agencies.sockets.check_session refuses a session that has not passed it.
- Step-up: break glass, exports and the sign-in security changes ask again when the last second
  factor is older than SECOND_FACTOR_STEP_UP_SECONDS (`second_factor_recent`,
  `step_up_redirect`).
"""

from functools import wraps
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from agencies import two_factor

# Reached with the password alone: the way on (the second-factor pages mark themselves with
# `second_factor_not_required`), the way out, and what the timeout warning asks.
OPEN_BEFORE_SECOND_FACTOR = {
    "login",
    "logout",
    "healthz",
    "session-status",
    "session-keep-alive",
}


def second_factor_not_required(view):
    """Mark a view that a person signed in with their password alone may open."""
    view.second_factor_not_required = True
    return view


def _next_url(request) -> str:
    return request.get_full_path() if request.method == "GET" else request.path


def _to(name: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{reverse(name)}?{urlencode({'next': next_url})}")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if getattr(view_func, "second_factor_not_required", False):
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if request.path.startswith("/api/"):
            return None  # the API refuses the session itself: VerifiedSessionAuthentication
        if two_factor.is_enrolled(user):
            return _to("second-factor", _next_url(request))
        return _to("second-factor-set-up", _next_url(request))


class VerifiedSessionAuthentication(SessionAuthentication):
    """DRF's session authentication, for a session that has passed its second factor only."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        is_verified = getattr(request._request.user, "is_verified", None)
        return result if is_verified is not None and is_verified() else None


class VerifiedSessionScheme(SessionScheme):
    """The API's description (drf-spectacular) names it as the session cookie it is."""

    target_class = VerifiedSessionAuthentication


def step_up_redirect(request) -> HttpResponseRedirect:
    """To "confirm it is you", then back (a form posted is opened again, not replayed)."""
    return _to("second-factor", _next_url(request))


def second_factor_recent(view):
    """A view that asks for the second factor again when the last one is older than
    SECOND_FACTOR_STEP_UP_SECONDS (put it under login_required)."""

    @wraps(view)
    def door(request, *args, **kwargs):
        if request.user.is_authenticated and not two_factor.verified_recently(request.session):
            return step_up_redirect(request)
        return view(request, *args, **kwargs)

    return door
