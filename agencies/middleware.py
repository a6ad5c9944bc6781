from agencies import audit, policy


class AuditRefusalsMiddleware:
    """Every access the policy refuses on a page is written to the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, policy.NotFoundForUser | policy.ForbiddenForUser):
            audit.record_refusal(actor=request.user, exc=exception, request=request)
        return None
