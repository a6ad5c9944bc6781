from access.roles import scope


class AccessScopeMiddleware:
    """Every page and API request is one `access.scope()`: the person's roles are read once,
    however many questions the request asks the policy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with scope():
            return self.get_response(request)
