"""When a session ends: SESSION_IDLE_TIMEOUT_SECONDS after the person's last request (30
minutes), and SESSION_ABSOLUTE_LIMIT_SECONDS after they signed in (8 hours) whatever they do.

Both are enforced here, on the server, from two stamps kept in the session (written at sign-in
and, for the last activity, by the middleware); the warning dialog (static/app/timeout.js)
only tells the person in time. A request after either limit signs the person out and goes to
the sign-in page, which says why.

A referral step posted after the end keeps what was typed (the design choice, docs/
architecture.md "Sessions"): its fields are kept, encrypted, in the new signed-out session;
after the same person signs in again, opening that step replays the post through the same
view, as if the session had never ended. Nothing is kept in the browser: case data is
OFFICIAL-SENSITIVE. When the warning runs out on such a step, the script posts the step's own
"save as draft" button, so it is saved on the server as the person's own draft.
"""

import base64
import functools
import json
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpResponseRedirect, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import resolve_url
from django.urls import Resolver404, resolve
from django.utils.crypto import salted_hmac
from django.utils.datastructures import MultiValueDict
from django.utils.http import url_has_allowed_host_and_scheme

from agencies import sockets

SIGNED_IN_AT = "session_signed_in_at"
LAST_ACTIVITY_AT = "session_last_activity_at"
KEPT_FORM = "session_kept_form"

IDLE = "idle"
ABSOLUTE = "absolute"

# Fields a kept post never carries: the new session gets a token of its own.
NOT_KEPT = {"csrfmiddlewaretoken"}


def clock() -> int:
    """Whole seconds: the stamps are compared, never shown."""
    return int(time.time())


@dataclass(frozen=True)
class Limits:
    idle: int
    absolute: int
    warning: int

    @property
    def activity_resolution(self) -> int:
        """The last activity is written again only once it is this many seconds old: one
        session write a minute at most, not one a request, at the cost of ending the session
        up to a minute early (the warning asks the server, so it is never wrong about it)."""
        return min(60, self.idle // 30)


def limits() -> Limits:
    return Limits(
        idle=settings.SESSION_IDLE_TIMEOUT_SECONDS,
        absolute=settings.SESSION_ABSOLUTE_LIMIT_SECONDS,
        warning=settings.SESSION_TIMEOUT_WARNING_SECONDS,
    )


# --- The stamps and what they say -----------------------------------------------------------


def session_started(*, session, user_id: int, now: int | None = None) -> None:
    """Stamp a session that has just signed someone in; a post kept from another person's
    session on this browser is dropped."""
    now = clock() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_ACTIVITY_AT] = now
    kept = session.get(KEPT_FORM)
    if kept is not None and kept.get("user_id") != str(user_id):
        del session[KEPT_FORM]


def on_sign_in(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: every way in (the sign-in page, a password set, the test
    client's force_login) calls django.contrib.auth.login, which sends it, as Django's own
    update_last_login does. Bookkeeping of the session only: no business rule lives here."""
    session = getattr(request, "session", None)
    if session is not None:
        session_started(session=session, user_id=user.pk)


def ended_by(session, *, now: int) -> str | None:
    """IDLE or ABSOLUTE when the signed-in session has reached that limit, else None."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return None
    figures = limits()
    if now - signed_in_at >= figures.absolute:
        return ABSOLUTE
    if now - session.get(LAST_ACTIVITY_AT, signed_in_at) >= figures.idle:
        return IDLE
    return None


def seconds_left(session, *, now: int) -> int:
    """Seconds until the session ends, by whichever limit comes first."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return 0
    figures = limits()
    idle_left = figures.idle - (now - session.get(LAST_ACTIVITY_AT, signed_in_at))
    absolute_left = figures.absolute - (now - signed_in_at)
    return max(0, min(idle_left, absolute_left))


def can_extend(session, *, now: int) -> bool:
    """Whether staying active still moves the end (not once the absolute limit is nearer)."""
    signed_in_at = session.get(SIGNED_IN_AT)
    if signed_in_at is None:
        return False
    return limits().absolute - (now - signed_in_at) > limits().idle


def record_activity(session, *, now: int, always: bool = False) -> None:
    last = session.get(LAST_ACTIVITY_AT)
    if always or last is None or now - last >= limits().activity_resolution:
        session[LAST_ACTIVITY_AT] = now


def status_of(session, *, now: int) -> dict:
    """What the warning script is told: signed in or not, seconds left, and whether "Stay
    signed in" can still give more."""
    if auth.SESSION_KEY not in session or ended_by(session, now=now):
        return {"signed_in": False, "remaining_seconds": 0, "can_extend": False}
    return {
        "signed_in": True,
        "remaining_seconds": seconds_left(session, now=now),
        "can_extend": can_extend(session, now=now),
    }


def ended_message(reason: str, *, kept: bool) -> str:
    if reason == ABSOLUTE:
        text = (
            "You were signed out because you had been signed in for "
            f"{_duration(limits().absolute)}. Sign in again to carry on."
        )
    else:
        text = f"You were signed out after {_duration(limits().idle)} without activity."
    if kept:
        text += " What you had typed is kept: sign in again to carry on where you were."
    return text


def _duration(seconds: int) -> str:
    for unit, size in (("hour", 3600), ("minute", 60), ("second", 1)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


# --- Which views are special ---------------------------------------------------------------


def session_endpoint(view):
    """The warning's own status and keep-alive: the middleware neither ends the session on
    them nor counts them as activity (the view answers, and the keep-alive records activity
    itself). Otherwise a status poll would keep an idle person signed in for ever, and one
    that arrived just after the end would sign them out before the script could save a form."""
    view.session_endpoint = True
    return view


def keeps_post_across_sign_in(view):
    """A form page whose post, arriving after the session ended, is kept and replayed after
    the same person signs in again (see the module docstring). Put it inside login_required
    and the access checks, so the replay passes them too."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "GET":
            data = _take_kept_post(request)
            if data is not None:
                # The same code path as the original post: same validation, same service.
                # Its CSRF token was checked when it was kept.
                request.method = "POST"
                request.POST = data
                request._files = MultiValueDict()
                request.replaying_kept_post = True
        return view(request, *args, **kwargs)

    wrapper.keeps_post_across_sign_in = True
    return wrapper


def is_replay(request) -> bool:
    return getattr(request, "replaying_kept_post", False)


def _view_of(request):
    try:
        return resolve(request.path_info, getattr(request, "urlconf", None)).func
    except Resolver404:
        return None


# --- Keeping a post, encrypted --------------------------------------------------------------


def _fernet() -> Fernet:
    key = salted_hmac("agencies.session_timeout.kept_form", "key", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _keep_post(request, *, user_id) -> dict:
    fields = [(name, values) for name, values in request.POST.lists() if name not in NOT_KEPT]
    token = _fernet().encrypt(json.dumps(fields).encode())
    return {"user_id": str(user_id), "path": request.path, "fields": token.decode()}


def _take_kept_post(request) -> QueryDict | None:
    kept = request.session.get(KEPT_FORM)
    if kept is None or kept.get("path") != request.path:
        return None
    del request.session[KEPT_FORM]
    if kept.get("user_id") != str(request.user.pk):
        return None
    try:
        fields = json.loads(_fernet().decrypt(kept["fields"], ttl=limits().absolute))
    except (InvalidToken, ValueError, KeyError):
        return None
    data = QueryDict(mutable=True)
    for name, values in fields:
        data.setlist(name, values)
    data._mutable = False
    return data


def _csrf_passes(request) -> bool:
    """The check CsrfViewMiddleware would make later, made now, so a cross-site post is never
    kept to be replayed for the person."""
    return CsrfViewMiddleware(lambda request: None).process_view(request, None, (), {}) is None


# --- The middleware -------------------------------------------------------------------------


class SessionTimeoutMiddleware:
    """Ends a session past either limit, and counts every other request as activity.

    After AuthenticationMiddleware and MessageMiddleware: it signs out, and leaves the
    sign-in page a message in the new session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        now = clock()
        reason = ended_by(request.session, now=now)
        if reason is not None and not getattr(_view_of(request), "session_endpoint", False):
            response = self._end(request, reason)
            if response is not None:
                return response
        response = self.get_response(request)
        view = getattr(getattr(request, "resolver_match", None), "func", None)
        if not getattr(view, "session_endpoint", False):
            self._count_activity(request.session, now=now)
        return response

    def _count_activity(self, session, *, now: int) -> None:
        if auth.SESSION_KEY not in session:
            return
        if SIGNED_IN_AT not in session:  # signed in before sessions were stamped
            session_started(session=session, user_id=session[auth.SESSION_KEY], now=now)
        else:
            record_activity(session, now=now)

    def _end(self, request, reason: str):
        """Sign out; then the sign-in page or the API answers as to anyone signed out, and
        everything else goes to sign in, coming back here after."""
        user_id = request.session.get(auth.SESSION_KEY)
        kept = None
        if (
            request.method == "POST"
            and getattr(_view_of(request), "keeps_post_across_sign_in", False)
            and _csrf_passes(request)
        ):
            kept = _keep_post(request, user_id=user_id)
        auth.logout(request)
        sockets.recheck_sockets_on_commit(user_ids=[user_id])
        if kept is not None:
            request.session[KEPT_FORM] = kept
        login_url = resolve_url(settings.LOGIN_URL)
        if request.path.startswith("/api/"):
            return None  # answered as to anyone signed out, in JSON
        if request.path == login_url:
            if request.method == "GET":
                messages.info(request, ended_message(reason, kept=kept is not None))
            return None  # a sign-in posted now simply signs in afresh
        messages.info(request, ended_message(reason, kept=kept is not None))
        return HttpResponseRedirect(f"{login_url}?next={quote(self._next(request, kept))}")

    def _next(self, request, kept) -> str:
        if request.method == "GET" or kept is not None:
            return request.get_full_path()
        # A post to an action elsewhere: back to the page it came from, when that is ours.
        referer = request.headers.get("Referer", "")
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(referer)
            return f"{parts.path}?{parts.query}" if parts.query else parts.path
        return "/"


# --- The figures the warning script reads ---------------------------------------------------


def context(request) -> dict:
    """Template context: the warning's figures, on pages of someone signed in."""
    session = getattr(request, "session", None)
    if session is None or SIGNED_IN_AT not in session:
        return {}
    figures = limits()
    return {
        "session_timeout": {
            "idle_seconds": figures.idle,
            "warning_seconds": figures.warning,
            "remaining_seconds": seconds_left(session, now=clock()),
        }
    }
