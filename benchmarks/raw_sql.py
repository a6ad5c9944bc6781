"""The first page of visible referrals, written by hand in SQL, for comparison with the policy.

The same rules as `access.visible_referrals` (read it beside this), written
independently of it. Like the policy it takes two round trips: the person's live roles
(active memberships of active agencies, the person active), then the page. The page is one
branch per rule that applies to the person, each taking only its own newest `limit` rows
through an index, merged and cut to `limit`. The newest `limit` rows of a union are always
among the newest `limit` rows of its branches, so the cut loses nothing; with `limit=None`
(SQL `LIMIT NULL`) it returns the whole visible set.

Rules, as the policy has them (a person with no live role sees nothing):
1. the referrer's own referrals, drafts too, in an agency they act for now;
2. an agency lead: their agency's referrals that are not drafts;
3. an agency lead: referrals (not drafts) on which a guardian group permission
   `view_referral` is held by their agency's permission group (a share);
4. an agency lead: referrals they broke the glass on, until it expires;
5. a panel coordinator or quality auditor: every referral that is not a draft;
6. anyone: referrals (not drafts) listed, and not withdrawn, on a meeting of a panel they sit
   on now, unless closed longer ago than the grace;
7. anyone: referrals (not drafts) on which they hold the guardian `view_referral` permission.

`ONE_STATEMENT_SQL` is the same rules in a single statement (roles in a CTE, every branch
present and switched off by a one-time `EXISTS` filter when it does not apply): one round
trip, but a larger plan. `--raw one-statement` measures it instead.
"""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from agencies.models import Agency, Role
from referrals.models import Child, Referral, ReferralState


def _columns(model, alias: str) -> str:
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(f.column)}" for f in model._meta.concrete_fields)


def _branch(where: str) -> str:
    return (
        "(SELECT r.id, r.created_at FROM referrals_referral r "
        f"WHERE {where} ORDER BY r.created_at DESC, r.id DESC LIMIT %(limit)s)"
    )


def _page(branches: list[str], prefix: str = "") -> str:
    union = "\n    UNION\n    ".join(_branch(where) for where in branches)
    return f"""{prefix}
SELECT {_columns(Referral, "r")}, {_columns(Agency, "a")}, {_columns(Child, "c")}
FROM (
    {union}
) page
JOIN referrals_referral r ON r.id = page.id
JOIN agencies_agency a ON a.id = r.agency_id
JOIN referrals_child c ON c.id = r.child_id
ORDER BY r.created_at DESC, r.id DESC
LIMIT %(limit)s
"""


ROLES_SQL = """
SELECT m.role, m.agency_id
FROM agencies_membership m
JOIN auth_user u ON u.id = m.user_id AND u.is_active
JOIN agencies_agency a ON a.id = m.agency_id AND a.is_active
WHERE m.user_id = %(user_id)s
  AND m.started_at <= %(now)s AND (m.ended_at IS NULL OR m.ended_at > %(now)s)
"""

OWN = "r.referrer_id = %(user_id)s AND r.agency_id = ANY(%(agencies)s)"
LEAD_AGENCY = "r.agency_id = ANY(%(leads)s) AND r.state <> %(draft)s"
LEAD_SHARED = """r.state <> %(draft)s AND r.id IN (
        SELECT g.content_object_id
        FROM referrals_referralgroupobjectpermission g
        JOIN auth_permission p ON p.id = g.permission_id
        JOIN agencies_agency ga ON ga.permission_group_id = g.group_id
        WHERE p.codename = %(view_referral)s AND ga.id = ANY(%(leads)s))"""
LEAD_BREAK_GLASS = """r.id IN (
        SELECT b.referral_id FROM referrals_breakglassaccess b
        WHERE b.user_id = %(user_id)s AND b.expires_at > %(now)s)"""
ALL_SUBMITTED = "r.state <> %(draft)s"
ON_MY_PANELS = """r.state <> %(draft)s
       AND (r.closed_at IS NULL OR r.closed_at > %(grace_cutoff)s)
       AND r.id IN (
        SELECT ai.referral_id
        FROM panels_agendaitem ai
        JOIN panels_meeting mt ON mt.id = ai.meeting_id
        WHERE ai.withdrawn_at IS NULL
          AND mt.panel_id IN (
            SELECT pm.panel_id FROM panels_panelmembership pm
            WHERE pm.user_id = %(user_id)s AND pm.started_at <= %(now)s
              AND (pm.ended_at IS NULL OR pm.ended_at > %(now)s)))"""
MY_GUARDIAN_PERM = """r.state <> %(draft)s AND r.id IN (
        SELECT u.content_object_id
        FROM referrals_referraluserobjectpermission u
        JOIN auth_permission p ON p.id = u.permission_id
        WHERE u.user_id = %(user_id)s AND p.codename = %(view_referral)s)"""


def _params(user_id: int, limit: int | None, now) -> dict:
    return {
        "user_id": user_id,
        "now": now,
        "grace_cutoff": now - timedelta(days=settings.PANEL_ACCESS_GRACE_DAYS),
        "limit": limit,
        "draft": ReferralState.DRAFT.value,
        "lead": Role.AGENCY_LEAD.value,
        "coordinator": Role.PANEL_COORDINATOR.value,
        "auditor": Role.QUALITY_AUDITOR.value,
        "view_referral": "view_referral",
    }


def page_query(cursor, user_id: int, *, limit: int | None = 50, now=None):
    """(sql, params) of the page for this person, after reading their roles; None: no role."""
    now = now or timezone.now()
    params = _params(user_id, limit, now)
    cursor.execute(ROLES_SQL, params)
    roles: dict[str, set[int]] = {}
    for role, agency_id in cursor.fetchall():
        roles.setdefault(role, set()).add(agency_id)
    if not roles:
        return None
    params["agencies"] = sorted(set().union(*roles.values()))
    branches = [OWN]
    if Role.AGENCY_LEAD in roles:
        params["leads"] = sorted(roles[Role.AGENCY_LEAD])
        branches += [LEAD_AGENCY, LEAD_SHARED, LEAD_BREAK_GLASS]
    if Role.PANEL_COORDINATOR in roles or Role.QUALITY_AUDITOR in roles:
        branches.append(ALL_SUBMITTED)
    branches += [ON_MY_PANELS, MY_GUARDIAN_PERM]
    return _page(branches), params


def first_page(user_id: int, *, limit: int | None = 50) -> list[tuple]:
    """The rows (referral, agency and child columns) of this person's first page."""
    with connection.cursor() as cursor:
        query = page_query(cursor, user_id, limit=limit)
        if query is None:
            return []
        cursor.execute(*query)
        return cursor.fetchall()


# --- The same rules in one statement ---------------------------------------------------------

_ONE_STATEMENT_BRANCHES = [
    "r.referrer_id = %(user_id)s AND r.agency_id IN (SELECT agency_id FROM roles)",
    "EXISTS (SELECT 1 FROM lead_agencies) AND r.agency_id IN (SELECT agency_id FROM lead_agencies)"
    " AND r.state <> %(draft)s",
    "EXISTS (SELECT 1 FROM lead_agencies) AND "
    + LEAD_SHARED.replace("ANY(%(leads)s)", "ANY(ARRAY(SELECT agency_id FROM lead_agencies))"),
    "EXISTS (SELECT 1 FROM lead_agencies) AND " + LEAD_BREAK_GLASS,
    "EXISTS (SELECT 1 FROM roles WHERE role IN (%(coordinator)s, %(auditor)s)) AND "
    + ALL_SUBMITTED,
    "EXISTS (SELECT 1 FROM roles) AND " + ON_MY_PANELS,
    "EXISTS (SELECT 1 FROM roles) AND " + MY_GUARDIAN_PERM,
]

ONE_STATEMENT_SQL = _page(
    _ONE_STATEMENT_BRANCHES,
    prefix=f"""WITH roles AS ({ROLES_SQL}),
lead_agencies AS (SELECT agency_id FROM roles WHERE role = %(lead)s)""",
)


def first_page_one_statement(user_id: int, *, limit: int | None = 50) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(ONE_STATEMENT_SQL, _params(user_id, limit, timezone.now()))
        return cursor.fetchall()


def explain(user_id: int, *, one_statement: bool = False) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the page statement (after the roles, for the two-step)."""
    with connection.cursor() as cursor:
        if one_statement:
            sql, params = ONE_STATEMENT_SQL, _params(user_id, 50, timezone.now())
        else:
            query = page_query(cursor, user_id)
            if query is None:
                return "(no live role: no page query)"
            sql, params = query
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())
