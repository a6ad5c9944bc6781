"""Rows of the access matrix for the management pages (/manage/) and the password pages.

Only the system administrator manages people, agencies, teams, roles and seats; everyone else
signed in is refused (403) at those pages. Grants and seats are known to the people who
may decide or end them: an agency's leads know its grants and seats, a panel's chair and
coordinator know its seats; to everyone else they do not exist (404). The rows use the
world of tests/agencies/conftest.py: referrer_a is the person managed, agency A the agency.
"""

from agencies.models import GrantStatus, Role, Team
from panels.models import Panel, PanelMembership
from tests.agencies.matrix import LEADS, SIGNED_IN, everyone, only
from tests.factories import person

ADMINISTRATOR = {"sysadmin": 200}


def administrator_only(status: int = 200):
    return only({"sysadmin": status}, default=403)


def _other_administrator(w):
    return person(Role.SYSTEM_ADMINISTRATOR, w.agencies["csc"], username="other_admin")


def _pending_grant(w):
    """Agency A's lead role for referrer_a2, asked for by another administrator."""
    from agencies.models import Membership

    return Membership.objects.create(
        user=w.people["referrer_a2"],
        agency=w.agencies["a"],
        role=Role.AGENCY_LEAD,
        status=GrantStatus.PENDING,
        requested_by=_other_administrator(w),
        request_reason="Acting lead while the lead is away.",
    )


def _pending_seat(w):
    """A seat on panel Q for agency C's referrer, asked for by another administrator."""
    return PanelMembership.objects.create(
        panel=Panel.objects.get(name="Panel Q"),
        user=w.people["referrer_c"],
        agency=w.agencies["c"],
        status=GrantStatus.PENDING,
        requested_by=_other_administrator(w),
        request_reason="Represents the school.",
    )


def _team(w):
    return Team.objects.get_or_create(agency=w.agencies["a"], name="Public Protection")[0]


def _referrer_a(w):
    return w.people["referrer_a"].pk


def _member_p_seat(w):
    return PanelMembership.objects.get(user=w.people["member_p"]).pk


def _referrer_a_role(w):
    return w.people["referrer_a"].memberships.get().pk


MANAGE_DOORS = {
    "manage:home": ("get", lambda w: "/manage/", None, administrator_only()),
    "manage:people": ("get", lambda w: "/manage/people/?q=ref", None, administrator_only()),
    "manage:person-create": ("get", lambda w: "/manage/people/new/", None, administrator_only()),
    "manage:person": (
        "get",
        lambda w: f"/manage/people/{_referrer_a(w)}/",
        None,
        administrator_only(),
    ),
    "manage:person-deactivate": (
        "get",
        lambda w: f"/manage/people/{_referrer_a(w)}/deactivate/",
        None,
        administrator_only(),
    ),
    "manage:person-password-link": (
        "post",
        lambda w: f"/manage/people/{_referrer_a(w)}/password-link/",
        {},
        administrator_only(302),
    ),
    "manage:membership-grant": (
        "get",
        lambda w: f"/manage/people/{_referrer_a(w)}/roles/new/",
        None,
        administrator_only(),
    ),
    "manage:seat-grant": (
        "get",
        lambda w: f"/manage/people/{_referrer_a(w)}/seats/new/",
        None,
        administrator_only(),
    ),
    # Agency A's leads know its grants (they approve them) but do not end them.
    "manage:membership-end": (
        "get",
        lambda w: f"/manage/roles/{_referrer_a_role(w)}/end/",
        None,
        only(ADMINISTRATOR, knowers=["lead_a"]),
    ),
    "manage:membership-decide": (
        "get",
        lambda w: f"/manage/roles/{_pending_grant(w).pk}/decide/",
        None,
        only({"sysadmin": 200, "lead_a": 200}),
    ),
    # Panel P's chair ends its seats; agency B's lead knows the seats of B.
    "manage:seat-end": (
        "get",
        lambda w: f"/manage/seats/{_member_p_seat(w)}/end/",
        None,
        only({"sysadmin": 200, "chair": 200}, knowers=["lead_b"]),
    ),
    "manage:seat-decide": (
        "get",
        lambda w: f"/manage/seats/{_pending_seat(w).pk}/decide/",
        None,
        only({"sysadmin": 200, "lead_c": 200}),
    ),
    "manage:approvals": (
        "get",
        lambda w: "/manage/approvals/",
        None,
        only(dict.fromkeys([*LEADS, "sysadmin"], 200), default=403),
    ),
    "manage:agencies": ("get", lambda w: "/manage/agencies/", None, administrator_only()),
    "manage:agency-create": (
        "get",
        lambda w: "/manage/agencies/new/",
        None,
        administrator_only(),
    ),
    "manage:agency": (
        "get",
        lambda w: f"/manage/agencies/{w.agencies['a'].pk}/",
        None,
        administrator_only(),
    ),
    "manage:agency-edit": (
        "get",
        lambda w: f"/manage/agencies/{w.agencies['a'].pk}/edit/",
        None,
        administrator_only(),
    ),
    "manage:agency-deactivate": (
        "get",
        lambda w: f"/manage/agencies/{w.agencies['a'].pk}/deactivate/",
        None,
        administrator_only(),
    ),
    "manage:team-create": (
        "get",
        lambda w: f"/manage/agencies/{w.agencies['a'].pk}/teams/new/",
        None,
        administrator_only(),
    ),
    "manage:team-rename": (
        "get",
        lambda w: f"/manage/teams/{_team(w).pk}/rename/",
        None,
        administrator_only(),
    ),
    # Panel P's chair sets its clocks (the panel becomes a hub); so does the administrator.
    "manage:screening-clocks": (
        "get",
        lambda w: f"/manage/panels/{w.meeting.panel_id}/screening-clocks/",
        None,
        only({"sysadmin": 200, "chair": 200}, default=403),
    ),
    # Locked sign-ins: only the administrator lists and unlocks them.
    "manage:sign-in-lockouts": (
        "get",
        lambda w: "/manage/sign-in-lockouts/",
        None,
        administrator_only(),
    ),
    "manage:sign-in-unlock": (
        "post",
        lambda w: "/manage/sign-in-lockouts/unlock/",
        {"username": "someone"},
        administrator_only(302),
    ),
    # Everyone signed in changes their own password; nobody else's.
    "password_change": ("get", lambda w: "/account/password/", None, everyone(200)),
    "password_change_done": ("get", lambda w: "/account/password/done/", None, everyone(200)),
    # Anyone asks for a reset link; a bad or used link says so, to anyone.
    "password_reset": ("get", lambda w: "/password-reset/", None, everyone(200, anonymous=200)),
    "password_reset_done": (
        "get",
        lambda w: "/password-reset/sent/",
        None,
        everyone(200, anonymous=200),
    ),
    "password_reset_confirm": (
        "get",
        lambda w: "/password-reset/MQ/not-a-token/",
        None,
        everyone(200, anonymous=200),
    ),
    "password_reset_complete": (
        "get",
        lambda w: "/password-reset/done/",
        None,
        everyone(200, anonymous=200),
    ),
    # The link in a new person's email: a bad or used link says so, to anyone.
    "password-set": (
        "get",
        lambda w: "/set-password/MQ/not-a-token/",
        None,
        everyone(200, anonymous=200),
    ),
    "password-set-done": (
        "get",
        lambda w: "/set-password/done/",
        None,
        everyone(200, anonymous=200),
    ),
}

assert all(set(row[3]) == {"anonymous", *SIGNED_IN} for row in MANAGE_DOORS.values())
