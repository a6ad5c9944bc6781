"""Headers every response carries, beyond those of Django's SecurityMiddleware and the CSP."""

from django.utils.cache import add_never_cache_headers
from whitenoise.middleware import WhiteNoiseFileResponse

# The browser features no page of the service uses, refused to every page and to anything a
# page embeds: a case page that somehow ran someone else's script still could not switch on
# a camera or read where the person is.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "gamepad",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "local-fonts",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivacyHeadersMiddleware:
    """Permissions-Policy on every response; and every page and API answer, which may name a
    child, marked never to be stored by a browser or a proxy (Cache-Control: no-store).

    Placed before WhiteNoise, so it sees the static files too: those keep WhiteNoise's own
    caching, as they hold nothing about anyone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not isinstance(response, WhiteNoiseFileResponse):
            add_never_cache_headers(response)
            # For HTTP/1.0 caches, which do not read Cache-Control.
            response.headers["Pragma"] = "no-cache"
        return response
