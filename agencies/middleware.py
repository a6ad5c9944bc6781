from django.http import HttpResponse

import access
from agencies import audit


class AuditRefusalsMiddleware:
    """Every access the policy refuses on a page is written to the audit trail; a refusal of
    someone not signed in is counted against their address instead, and too many in a minute
    are answered 429."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, access.NotFoundForUser | access.ForbiddenForUser):
            return None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            audit.record_refusal(actor=user, exc=exception, request=request)
            return None
        too_many = audit.count_anonymous_refusal(
            address=audit.client_address(request), door=audit.door_of(request)
        )
        if too_many:
            response = HttpResponse(
                "Too many requests. Try again in a minute.",
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = "60"
            return response
        return None
