"""Who is calling the API: a person's token (`Authorization: Token <key>`), looked up by its
SHA-256, and how many requests a minute one token may send."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.throttling import SimpleRateThrottle

from referrals.api.tokens import key_digest
from referrals.models import ApiToken


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token scheme, with the key kept only as its hash (referrals.ApiToken)."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = ApiToken.objects.select_related("user").filter(key_sha256=key_digest(key)).first()
        if token is None or not token.user.is_active:
            # One answer for a wrong key and a deactivated person's key.
            raise exceptions.AuthenticationFailed("Invalid token.")
        return token.user, token


class TokenRateThrottle(SimpleRateThrottle):
    """At most API_TOKEN_REQUESTS_PER_MINUTE requests a minute from one token (0: no limit);
    a signed-in browser is not counted. Counted in the process's cache, so with several
    daphne processes a token may get that many from each."""

    scope = "api_token"

    def get_rate(self):
        per_minute = settings.API_TOKEN_REQUESTS_PER_MINUTE
        return f"{per_minute}/min" if per_minute > 0 else None

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        # The key's hash, not the row's id: a new key starts a new count.
        return self.cache_format % {"scope": self.scope, "ident": request.auth.key_sha256}
