"""The timeout warning's two endpoints (static/app/timeout.js). Neither ends the session nor
counts as activity by itself (`session_timeout.session_endpoint`): the status only reads, and
the keep-alive records activity when the person chose "Stay signed in"."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET, require_POST

from agencies import session_timeout


@require_GET
@session_timeout.session_endpoint
def session_status(request):
    """Seconds left, asked before the warning shows: activity in another tab counts."""
    return JsonResponse(session_timeout.status_of(request.session, now=session_timeout.clock()))


@require_POST
@session_timeout.session_endpoint
def session_keep_alive(request):
    """ "Stay signed in": the idle limit starts again (the absolute limit never moves)."""
    now = session_timeout.clock()
    if not session_timeout.status_of(request.session, now=now)["signed_in"]:
        return JsonResponse(session_timeout.status_of(request.session, now=now), status=401)
    session_timeout.record_activity(request.session, now=now, always=True)
    return JsonResponse(session_timeout.status_of(request.session, now=now))
