"""How many password-reset links may be asked for: PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR
for one email address (so nobody floods a person's inbox) and
PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR from one client address (so nobody tries addresses
at will). Over either, no email is sent and the page says what it always says."""

import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, When
from django.utils import timezone

from agencies.models import PasswordResetRequestCount


def _person_key(email: str) -> str:
    digest = hmac.new(
        settings.SECRET_KEY.encode(), email.strip().casefold().encode(), hashlib.sha256
    ).hexdigest()
    return f"person:{digest[:64]}"


def _count(key: str, limit: int, hour) -> bool:
    """Count one request against `key` this hour; True when it is within `limit`."""
    tally, _ = PasswordResetRequestCount.objects.get_or_create(key=key, window_start=hour)
    # One statement, so requests in other processes cannot lose a count.
    PasswordResetRequestCount.objects.filter(pk=tally.pk).update(
        count=F("count") + 1,
        throttled=Case(
            When(count__gte=limit, then=F("throttled") + 1),
            default=F("throttled"),
            output_field=PositiveIntegerField(),
        ),
    )
    tally.refresh_from_db(fields=["count"])
    return tally.count <= limit


@transaction.atomic
def may_send_reset_link(*, email: str, address: str | None) -> bool:
    """Count this request; True when a link may be emailed for it."""
    hour = timezone.now().replace(minute=0, second=0, microsecond=0)
    client_ok = _count(
        f"client:{address or '?'}", settings.PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR, hour
    )
    # The person's count only moves for requests that got past the client's limit, so one
    # client cannot use up another person's allowance by being throttled.
    if not client_ok:
        return False
    return _count(_person_key(email), settings.PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR, hour)
