"""A person's roles, and the scope within which they are read once.

`roles_of(user)` answers from the person's live memberships. Inside a `scope()` (every page and
API request, entered by `access.middleware.AccessScopeMiddleware`; each meeting-room command
and each socket access check) it reads them once per person and keeps them until the scope
ends, so a page that asks many questions pays for one read (as Sentry's request-scoped
`Access` does). Outside a scope (a management command, a test asking the policy directly)
nothing is kept: every question reads afresh. A service that changes someone's access within
a request calls `forget(user_id)`, so the rest of that request sees the change.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, QuerySet
from django.utils import timezone

from agencies.models import Membership, Role
from config.compiled_query import CompiledQuery
from panels.models import PanelMembership
from referrals.models import BreakGlassAccess, ReferralUserObjectPermission

VIEW_REFERRAL = "view_referral"
T = TypeVar("T")

# The roles that may change case, action and meeting work. Deny by default: every other role
# (quality auditor, board member, data protection officer, system administrator, and any role
# added later) is read-only there, whatever seat, ownership or agency it comes with.
WRITING_ROLES = frozenset(
    {Role.REFERRER, Role.AGENCY_LEAD, Role.PANEL_COORDINATOR, Role.PANEL_CHAIR, Role.PANEL_MEMBER}
)


@dataclass(frozen=True)
class Roles:
    """A person's live roles: role -> the agencies they hold it in."""

    by_role: dict[str, frozenset[int]] = field(default_factory=dict)
    # Which other grounds exist at all (panel seats, guardian grants, open break-glass): rules
    # that cannot apply are left out of the query, so it stays small and uses its indexes.
    grounds: frozenset[str] = frozenset()
    # Further reads about the person's access (their panel seats), kept for the scope with
    # the roles they follow from, and forgotten with them: see `kept_with_roles`.
    kept: dict = field(default_factory=dict, compare=False, repr=False)

    def agencies(self, role: str) -> frozenset[int]:
        return self.by_role.get(role, frozenset())

    def has(self, role: str) -> bool:
        return bool(self.by_role.get(role))

    @property
    def all_agencies(self) -> frozenset[int]:
        return frozenset().union(*self.by_role.values()) if self.by_role else frozenset()

    @property
    def writing_agencies(self) -> frozenset[int]:
        """The agencies the person acts for in a role that may change something."""
        return frozenset().union(
            *(ids for role, ids in self.by_role.items() if role in WRITING_ROLES)
        )


# --- The scope --------------------------------------------------------------------------------

# The roles read in the current scope, by user id; None outside a scope, where nothing is kept.
# A context variable, so each request, and each socket command on its database thread, has its
# own (asgiref copies the context into the thread that runs a sync view or consumer method).
_read_in_scope: ContextVar[dict[int, Roles] | None] = ContextVar("access_roles", default=None)


@contextmanager
def scope() -> Iterator[None]:
    """Within it each person's roles are read once; a scope entered inside another shares it."""
    if _read_in_scope.get() is not None:
        yield
        return
    token = _read_in_scope.set({})
    try:
        yield
    finally:
        _read_in_scope.reset(token)


def in_scope() -> bool:
    """Whether roles read now are kept until the scope ends."""
    return _read_in_scope.get() is not None


def forget(user_id) -> None:
    """The person's access has just changed: the rest of the scope reads their roles afresh."""
    read = _read_in_scope.get()
    if read is not None:
        read.pop(user_id, None)


def forget_everyone() -> None:
    """Many people's access changed at once (an agency closed): every role is read afresh."""
    read = _read_in_scope.get()
    if read is not None:
        read.clear()


# --- Roles ------------------------------------------------------------------------------------


def signed_in(user) -> bool:
    return (
        bool(user)
        and not isinstance(user, AnonymousUser)
        and user.is_authenticated
        and (user.is_active)
    )


def roles_of(user) -> Roles:
    """The person's active memberships, read once per scope and fresh outside one (one query):
    an ended one gives nothing."""
    if not signed_in(user):
        return Roles()
    read = _read_in_scope.get()
    if read is None:
        return _read_roles(user)
    if user.pk not in read:
        read[user.pk] = _read_roles(user)
    return read[user.pk]


def kept_with_roles(user, key: str, read: Callable[[], T]) -> T:
    """`read()`, kept with the person's roles for the rest of the scope (and forgotten with
    them); outside a scope read afresh every time, as the roles are."""
    if not in_scope() or not signed_in(user):
        return read()
    kept = roles_of(user).kept
    if key not in kept:
        kept[key] = read()
    return kept[key]


def _roles_query(user_id, now) -> QuerySet:
    """A person's live memberships in active agencies, and whether they have any panel seat,
    guardian grant or open break-glass at all."""
    return (
        Membership.objects.active(now)
        .filter(user_id=user_id, agency__is_active=True)
        .annotate(
            on_panels=Exists(PanelMembership.objects.active(now).filter(user_id=user_id)),
            granted=Exists(
                ReferralUserObjectPermission.objects.filter(
                    user_id=user_id, permission__codename=VIEW_REFERRAL
                )
            ),
            broke_glass=Exists(
                BreakGlassAccess.objects.filter(user_id=user_id, expires_at__gt=now)
            ),
        )
        .values_list("role", "agency_id", "on_panels", "granted", "broke_glass")
    )


# Read on every request and socket command: compiled once per process (config.compiled_query).
_ROLES_QUERY = CompiledQuery(
    _roles_query,
    user_id=-7_301_999,
    now=datetime(1901, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC),
)


def _read_roles(user) -> Roles:
    by_role: dict[str, set[int]] = {}
    grounds: set[str] = set()
    rows = _ROLES_QUERY.rows(user_id=user.pk, now=timezone.now())
    for role, agency_id, on_panels, granted, broke_glass in rows:
        by_role.setdefault(role, set()).add(agency_id)
        grounds |= {
            name
            for name, present in (
                ("panels", on_panels),
                ("grants", granted),
                ("break_glass", broke_glass),
            )
            if present
        }
    return Roles({role: frozenset(ids) for role, ids in by_role.items()}, frozenset(grounds))


def people_with_role_in(role: str, agency_ids=None) -> QuerySet:
    """Active people holding `role` now, in the given agencies (in any active one if None)."""
    memberships = Membership.objects.active().filter(role=role, agency__is_active=True)
    if agency_ids is not None:
        memberships = memberships.filter(agency_id__in=agency_ids)
    return get_user_model().objects.filter(pk__in=memberships.values("user_id"), is_active=True)
