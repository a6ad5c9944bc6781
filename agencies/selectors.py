"""Reads about agencies and people that are more than a .get()."""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Max, Prefetch, Q, Sum
from django.utils import timezone

from agencies.models import Agency, GrantStatus, Membership
from panels.models import PanelMembership


def active_memberships(*, user: AbstractBaseUser) -> list[Membership]:
    """The person's current memberships, with their agency, in one query."""
    return list(
        Membership.objects.active()
        .filter(user=user)
        .select_related("agency", "team")
        .order_by("agency__name", "role")
    )


def request_memberships(request) -> list[Membership]:
    """active_memberships of the person signed in on `request`, read once per request: the
    page header, a page that lists them and the request's audit rows share the one read."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    if getattr(request, "_active_memberships", None) is None:
        request._active_memberships = active_memberships(user=user)
    return request._active_memberships


# --- The management pages ----------------------------------------------------------------


def people_list(*, query: str = "", agency=None, status: str = "active", limit: int = 200):
    """People matching a name, username or email, in an agency, active or not; with their
    live roles, in two queries."""
    people = get_user_model().objects.order_by("last_name", "first_name", "username")
    for word in query.split():
        people = people.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(username__icontains=word)
            | Q(email__icontains=word)
        )
    if agency is not None:
        people = people.filter(
            pk__in=Membership.objects.active().filter(agency=agency).values("user_id")
        )
    if status in ("active", "inactive"):
        people = people.filter(is_active=status == "active")
    live = Membership.objects.active().select_related("agency").order_by("agency__name", "role")
    return list(
        people.prefetch_related(Prefetch("memberships", queryset=live, to_attr="live_roles"))[
            :limit
        ]
    )


def person_grants(*, person) -> dict:
    """Every role and seat the person was ever granted or asked for, newest first: live,
    waiting, refused and ended, with who asked, decided and ended."""
    people = ("requested_by", "decided_by", "ended_by")
    return {
        "roles": list(
            Membership.objects.filter(user=person)
            .select_related("agency", "team", *people)
            .order_by("-requested_at", "-started_at", "-pk")
        ),
        "seats": list(
            PanelMembership.objects.filter(user=person)
            .select_related("panel", "agency", *people)
            .order_by("-requested_at", "-started_at", "-pk")
        ),
    }


def agency_overview(*, agency) -> dict:
    """An agency's teams and the people holding a live role in it."""
    return {
        "teams": list(agency.teams.order_by("name")),
        "roles": list(
            Membership.objects.active()
            .filter(agency=agency)
            .select_related("user", "team")
            .order_by("role", "user__last_name", "user__first_name")
        ),
        "waiting": Membership.objects.pending().filter(agency=agency).count(),
    }


def grants_waiting(*, to_decide, seats_to_decide, asked_by) -> dict:
    """The waiting grants and seats a person may decide (from the policy's querysets), and
    those they asked for themselves, which someone else must decide."""
    related = ("user", "agency", "requested_by")
    return {
        "roles": list(to_decide.select_related(*related, "team").order_by("requested_at", "pk")),
        "seats": list(
            seats_to_decide.select_related(*related, "panel").order_by("requested_at", "pk")
        ),
        "asked_roles": list(
            Membership.objects.pending()
            .filter(requested_by=asked_by)
            .select_related(*related)
            .order_by("requested_at", "pk")
        ),
        "asked_seats": list(
            PanelMembership.objects.pending()
            .filter(requested_by=asked_by)
            .select_related(*related, "panel")
            .order_by("requested_at", "pk")
        ),
    }


def agency_list():
    """Every agency, active ones first, with the number of people holding a live role."""
    now = timezone.now()
    live = (
        Q(memberships__status=GrantStatus.APPROVED)
        & Q(memberships__started_at__lte=now)
        & (Q(memberships__ended_at__isnull=True) | Q(memberships__ended_at__gt=now))
    )
    return Agency.objects.annotate(
        people=Count("memberships__user", filter=live, distinct=True)
    ).order_by("-is_active", "name")


def panels_with_clocks(*, panels) -> list:
    """The panels given (the policy's), with their own clocks where they set any."""
    return list(panels.order_by("name").select_related("screening_clocks"))


def sign_in_lockouts() -> tuple[list[dict], list[dict]]:
    """The usernames and the addresses locked now (django-axes: at least AXES_FAILURE_LIMIT
    failures within the cool-off), most recent first, each with its failures and when its
    lock ends."""
    cool_off = settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - cool_off)

    def locked_by(field: str) -> list[dict]:
        rows = (
            recent.exclude(**{f"{field}__isnull": True})
            .values(field)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=settings.AXES_FAILURE_LIMIT)
            .order_by("-last")
        )
        return [{**row, "value": row[field], "until": row["last"] + cool_off} for row in rows]

    return locked_by("username"), locked_by("ip_address")
