from django.http import JsonResponse
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
