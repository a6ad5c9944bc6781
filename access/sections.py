"""Which sections of the service a person may use, for the service navigation and the home.

Answered from the person's roles and the grounds read with them (one read per scope, shared
with every other question the page asks), so the header costs no query of its own. A
section is offered only when its page would show the person something of theirs: a board
member is never offered the referral list (they see no case), a data protection officer
the audit lookup rather than the cases.
"""

from dataclasses import dataclass

from access.roles import WRITING_ROLES, roles_of, signed_in
from agencies.models import Role

# Roles whose holders may read some referrals (docs/access.md, "Referrals").
_READING_CASES = frozenset(
    {
        Role.REFERRER,
        Role.AGENCY_LEAD,
        Role.PANEL_COORDINATOR,
        Role.PANEL_CHAIR,
        Role.PANEL_MEMBER,
        Role.QUALITY_AUDITOR,
    }
)


# Roles that oversee panels or agencies, for the board's dashboard (access.can_view_dashboard).
_OVERSEEING = frozenset(
    {Role.BOARD_MEMBER, Role.AGENCY_LEAD, Role.PANEL_COORDINATOR, Role.PANEL_CHAIR}
)


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    # Paths that belong to the section, so the navigation marks the one the person is in.
    prefixes: tuple[str, ...]


HOME = Section("home", "Home", "home", ())
REFERRALS = Section(
    "referrals", "Referrals", "referrals:list", ("/referrals/", "/children/", "/search/")
)
SCREENING = Section("screening", "Screening", "referrals:screening-queue", ("/screening/",))
MEETINGS = Section("meetings", "Meetings", "panels:meeting-list", ("/meetings/", "/panels/"))
ACTIONS = Section("actions", "Actions", "actions:list", ("/actions/",))
BOARD = Section("board", "Board papers", "minutes:board-papers", ("/board/",))
AUDIT = Section("audit", "Audit", "referrals:audit-lookup", ("/audit/",))
MISSING = Section("missing", "Missing episodes", "missing:list", ("/missing/",))
INTELLIGENCE = Section("intelligence", "Intelligence", "intelligence:list", ("/intelligence/",))
CASELOADS = Section("caseloads", "Caseloads", "casework:caseloads", ("/casework/caseloads/",))
REVIEWS = Section("reviews", "Case reviews", "casework:reviews", ("/casework/reviews/",))
QUALITY = Section("quality", "Quality assurance", "casework:quality", ("/casework/quality/",))
DASHBOARD = Section("dashboard", "Dashboard", "board:dashboard", ("/board/dashboard/",))
APPROVALS = Section("approvals", "Approvals", "manage:approvals", ("/manage/approvals/",))
MANAGE = Section("manage", "Manage", "manage:home", ("/manage/",))


def offers_new_referral(user) -> bool:
    """can_refer's rule (a referrer or agency lead of an active agency), answered from the roles
    already read, for the home's "Make a referral" button."""
    roles = roles_of(user)
    return bool(roles.agencies(Role.REFERRER) | roles.agencies(Role.AGENCY_LEAD))


def reviews_live_cases(user) -> bool:
    """A quality auditor reviews live cases independently: their list is a review queue."""
    return roles_of(user).has(Role.QUALITY_AUDITOR)


def sections_for(user) -> list[Section]:
    """The sections a person may use, in the order the navigation shows them; none when
    signed out, only Home for someone with no live role."""
    if not signed_in(user):
        return []
    roles = roles_of(user)
    held = set(roles.by_role)
    sections = [HOME]
    if held & _READING_CASES or roles.grounds & {"grants", "break_glass"}:
        sections.append(REFERRALS)
    if roles.has(Role.PANEL_COORDINATOR):
        sections.append(SCREENING)
    if "panels" in roles.grounds:
        sections.append(MEETINGS)
    if held & WRITING_ROLES:
        sections.append(ACTIONS)
    if held & _READING_CASES:
        sections.append(MISSING)
    if held & WRITING_ROLES:
        sections.append(INTELLIGENCE)
    if roles.has(Role.AGENCY_LEAD):
        sections.append(CASELOADS)
    if roles.has(Role.AGENCY_LEAD) or roles.has(Role.QUALITY_AUDITOR):
        sections.append(REVIEWS)
    if roles.has(Role.QUALITY_AUDITOR):
        sections.append(QUALITY)
    if held & _OVERSEEING:
        sections.append(DASHBOARD)
    if roles.has(Role.BOARD_MEMBER):
        sections.append(BOARD)
    if roles.has(Role.DATA_PROTECTION_OFFICER):
        sections.append(AUDIT)
    if roles.has(Role.SYSTEM_ADMINISTRATOR):
        sections.append(MANAGE)
    elif roles.has(Role.AGENCY_LEAD):
        sections.append(APPROVALS)
    return sections
