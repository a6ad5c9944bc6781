from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config import health


@never_cache
@require_GET
def healthz(request):
    """200 when the database and the channel layer answer; 503 naming the one that does not."""
    results = [health.check_database(), health.check_channel_layer()]
    down = [result.name for result in results if not result.ok]
    body = {
        "status": "ok" if not down else "unavailable",
        "checks": {result.name: {"ok": result.ok, "detail": result.detail} for result in results},
    }
    if down:
        body["down"] = down
    return JsonResponse(body, status=503 if down else 200)


# --- Errors Django answers itself (no route, a bad request, a crash) ----------------------------
# Under /api/ they are JSON in the API's one shape (referrals/api/base.py), as a partner's
# system expects; elsewhere Django's pages. DRF answers every error inside an API view.

API_PREFIX = "/api/"


def _api_error(status: int, detail: str, code: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "code": code}, status=status)


def bad_request(request, exception):
    if request.path.startswith(API_PREFIX):
        return _api_error(400, "The request could not be read.", "bad_request")
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if request.path.startswith(API_PREFIX):
        return _api_error(
            403, "You do not have permission to perform this action.", "permission_denied"
        )
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if request.path.startswith(API_PREFIX):
        # Also an id that is not a whole number, e.g. /api/v1/referrals/abc/: no route takes it.
        return _api_error(404, "Not found.", "not_found")
    return defaults.page_not_found(request, exception)


def server_error(request):
    if request.path.startswith(API_PREFIX):
        return _api_error(500, "Something went wrong on our side.", "server_error")
    return defaults.server_error(request)
