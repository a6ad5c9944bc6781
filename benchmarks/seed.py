"""Seed a benchmark database with a realistic partnership's worth of cases, fast.

Rows are built as model instances (so model defaults apply) and written with PostgreSQL
COPY through psycopg's `cursor.copy`, with explicit ids so related rows can point at each
other without a round trip. Everything is deterministic for a given random seed.

Two layers:
- `seed_reference()`: agencies (with their guardian permission groups), people, memberships,
  panels, panel memberships and meetings. Fixed size.
- `seed_cases(world, n)`: children, referrals, agenda items, shares (ReferralShare rows and
  the matching guardian ReferralGroupObjectPermission rows), guardian user permissions and
  break-glass accesses, all scaled to `n` referrals.

`load_world()` reads what `seed_cases` needs back from the database, so cases can be seeded
again (for instance at a smaller size inside a rolled-back transaction).
"""

from __future__ import annotations

import bisect
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Model

from agencies.models import Agency, AgencyType, Membership, Role
from panels.models import (
    AgendaItem,
    Meeting,
    MeetingStatus,
    Panel,
    PanelKind,
    PanelMembership,
    PanelRole,
)
from referrals.models import (
    BreakGlassAccess,
    Child,
    Referral,
    ReferralGroupObjectPermission,
    ReferralShare,
    ReferralState,
    ReferralUserObjectPermission,
)

User = get_user_model()

BENCH_LEAD = "bench.lead"
BENCH_PANEL_MEMBER = "bench.panel"
BENCH_AUDITOR = "bench.auditor"
LIVE_BREAK_GLASS_MARK = "[bench: kept live]"

YEARS = 3
SPAN = timedelta(days=365 * YEARS)

# Relative referral volume and how often each kind of agency is shared with.
TYPE_WEIGHT = {
    AgencyType.POLICE: 6.0,
    AgencyType.CHILDRENS_SOCIAL_CARE: 5.0,
    AgencyType.HEALTH: 1.5,
    AgencyType.EDUCATION: 0.6,
    AgencyType.YOUTH_JUSTICE: 1.2,
    AgencyType.PROBATION: 1.5,
    AgencyType.HOUSING: 0.8,
    AgencyType.VOLUNTARY: 0.5,
    AgencyType.OTHER: 0.1,
}
SHARE_WEIGHT = {
    AgencyType.POLICE: 5.0,
    AgencyType.CHILDRENS_SOCIAL_CARE: 6.0,
    AgencyType.HEALTH: 3.0,
    AgencyType.EDUCATION: 1.0,
    AgencyType.YOUTH_JUSTICE: 2.0,
    AgencyType.PROBATION: 1.5,
    AgencyType.HOUSING: 1.5,
    AgencyType.VOLUNTARY: 1.0,
    AgencyType.OTHER: 0.2,
}

TOWNS = [
    "Fenmarsh",
    "Northwold",
    "Eastbrook",
    "Saltmere",
    "Harrowby",
    "Kingsreach",
    "Oakhollow",
    "Wrenfield",
    "Ashcombe",
    "Thornbury Vale",
    "Millbeck",
    "Greyford",
    "Lowmarsh",
    "Brackenhurst",
    "Coldharbour",
]
HEALTH_KINDS = [
    "Hospitals NHS Foundation Trust",
    "Community Health NHS Trust",
    "Mental Health NHS Trust (CAMHS)",
    "GP Federation",
    "Integrated Care Board",
    "Ambulance Service NHS Trust",
]
SCHOOL_KINDS = ["Primary School", "Academy", "High School", "Church of England Primary", "College"]
VOLUNTARY_NAMES = [
    "Young People's Trust",
    "Women's Aid",
    "Family Action",
    "Young Carers",
    "Youth Project",
    "Refuge Partnership",
    "Children's Charity",
    "Drug and Alcohol Service",
]


def _words(text: str) -> list[str]:
    return text.split()


FIRST_NAMES = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Florence Freya Grace Noah Oliver George Arthur "
    "Leo Muhammad Harry Oscar Archie Henry Aisha Zara Maya Priya Kai Tyler Jayden Ruby "
    "Ellie Sofia Jacob Ethan Mason Logan Lucas Alfie Theo Evie Poppy Daisy"
)
LAST_NAMES = _words(
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright "
    "Thompson Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris "
    "Edwards Turner Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker "
    "Lee Allen Morris Khan"
)
CONCERN_SENTENCES = [
    "School reports repeated absence and a change in presentation over the last term.",
    "Child disclosed to a teaching assistant that an adult at home hits them when angry.",
    "Police attended a domestic incident at the home; the child was present throughout.",
    "Missing from home overnight twice this month; returned with new clothes and a phone.",
    "Seen in the company of older males not known to the family near the retail park.",
    "Health visitor notes poor home conditions and missed developmental checks.",
    "Parent's mental health has deteriorated; child is taking on a caring role.",
    "Concerns about online contact with an unknown adult asking for images.",
    "Sibling is already open to children's social care; similar concerns now for this child.",
    "Attended A&E with an injury whose explanation did not match the presentation.",
    "Housing officer reports overcrowding and visitors at all hours.",
    "Youth worker concerned about possible involvement in county lines activity.",
    "Substance misuse by a parent reported by a neighbour; child often unsupervised.",
    "Disclosure of self-harm to the school nurse; no support currently in place.",
]
SHARE_REASONS = [
    "To inform the strategy discussion.",
    "The child attends your service; please contribute what you know.",
    "Joint visit planned; sharing for information.",
    "Requested by the panel chair ahead of the next meeting.",
]


@dataclass
class AgencyInfo:
    id: int
    name: str
    agency_type: str
    is_active: bool
    group_id: int
    weight: float
    share_weight: float


@dataclass
class World:
    """What seeding cases needs to know about the reference data."""

    now: datetime
    agencies: list[AgencyInfo]
    referrers: dict[int, list[int]]
    leads: dict[int, list[int]]
    meetings: list[tuple[int, int, datetime]]  # id, panel id, starts at
    view_referral_id: int
    bench_lead_id: int
    bench_panel_member_id: int
    bench_auditor_id: int
    bench_agency_id: int
    bench_panel_id: int
    usernames: dict[int, str] = field(default_factory=dict)


# --- Writing ---------------------------------------------------------------------------------


def copy_objects(model: type[Model], objs) -> int:
    """COPY model instances into the model's table, ids included. Returns the row count."""
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row(
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            )
            count += 1
    return count


def reset_sequences(models) -> None:
    """Move each table's id sequence past the ids COPY wrote, so later inserts do not clash."""
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            column = model._meta.pk.column
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT MAX({connection.ops.quote_name(column)}) "
                f"FROM {connection.ops.quote_name(table)}), 0) + 1, false)",
                [table, column],
            )


def _weight(name: str, table: dict, agency_type: str) -> float:
    return table[agency_type] * random.Random(f"weight:{name}").uniform(0.5, 1.5)


def _agency_plan() -> list[tuple[str, str, str, str]]:
    """(name, type, ods code, urn) for the 60 agencies."""
    plan = []
    for i, town in enumerate(TOWNS[:3]):
        plan.append((f"{town} Police", AgencyType.POLICE, "", ""))
        plan.append((f"{town} Children's Social Care", AgencyType.CHILDRENS_SOCIAL_CARE, "", ""))
        if i < 2:
            plan.append((f"{town} Youth Justice Service", AgencyType.YOUTH_JUSTICE, "", ""))
    plan.append(("Fenmarsh Probation Delivery Unit", AgencyType.PROBATION, "", ""))
    for i in range(12):
        town = TOWNS[i]
        plan.append(
            (f"{town} {HEALTH_KINDS[i % len(HEALTH_KINDS)]}", AgencyType.HEALTH, f"ZZ{i:03d}", "")
        )
    for i in range(25):
        town = TOWNS[i % len(TOWNS)]
        plan.append(
            (
                f"{town} {SCHOOL_KINDS[(i + i // len(TOWNS)) % len(SCHOOL_KINDS)]}",
                AgencyType.EDUCATION,
                "",
                f"{900100 + i}",
            )
        )
    for i in range(4):
        plan.append((f"{TOWNS[i]} Homes", AgencyType.HOUSING, "", ""))
    for i, name in enumerate(VOLUNTARY_NAMES):
        plan.append((f"{TOWNS[i % 4]} {name}", AgencyType.VOLUNTARY, "", ""))
    plan.append(("Fenmarsh Safeguarding Children Partnership", AgencyType.OTHER, "", ""))
    plan.append(("Fenmarsh Independent Scrutiny", AgencyType.OTHER, "", ""))
    assert len(plan) == 60 and len({name for name, *_ in plan}) == 60, len(plan)
    return plan


# --- Reference data --------------------------------------------------------------------------


def seed_reference(*, now: datetime, rng: random.Random) -> None:
    start = now - SPAN - timedelta(days=30)
    plan = _agency_plan()
    groups, agencies = [], []
    for i, (name, agency_type, ods, urn) in enumerate(plan, start=1):
        groups.append(Group(id=i, name=f"agency:{i}"))
        agencies.append(
            Agency(
                id=i,
                name=name,
                agency_type=agency_type,
                ods_code=ods,
                urn=urn,
                # One school has closed: its people's roles give nothing any more.
                is_active=not (agency_type == AgencyType.EDUCATION and i % 25 == 7),
                permission_group_id=i,
                created_at=start,
            )
        )
    copy_objects(Group, groups)
    copy_objects(Agency, agencies)

    total_weight = sum(_weight(a.name, TYPE_WEIGHT, a.agency_type) for a in agencies)
    expected = {
        a.id: 100_000 * _weight(a.name, TYPE_WEIGHT, a.agency_type) / total_weight for a in agencies
    }
    mean = 100_000 / len(agencies)
    # The benchmarked lead's agency: the active health body whose volume is nearest the mean.
    bench_agency = min(
        (a for a in agencies if a.is_active and a.agency_type == AgencyType.HEALTH),
        key=lambda a: abs(expected[a.id] - mean),
    )
    partnership = next(a for a in agencies if a.agency_type == AgencyType.OTHER)

    users: list = []
    memberships: list = []

    def person(username, agency, role, *, ended=False, job_title=""):
        uid = len(users) + 1
        users.append(
            User(
                id=uid,
                username=username,
                password="!benchmark-unusable",  # an unusable password: nobody signs in
                first_name=rng.choice(FIRST_NAMES),
                last_name=rng.choice(LAST_NAMES),
                email=f"{username}@example.org",
                is_active=True,
                date_joined=start,
            )
        )
        memberships.append(
            Membership(
                id=len(memberships) + 1,
                user_id=uid,
                agency_id=agency.id,
                role=role,
                job_title=job_title,
                started_at=start,
                ended_at=now - timedelta(days=rng.randint(30, 700)) if ended else None,
                end_reason="Left the agency." if ended else "",
            )
        )
        return uid

    for agency in agencies:
        for k in range(max(3, round(expected[agency.id] / 120))):
            # One referrer in ten has since left: their referrals stay.
            person(f"ref.{agency.id}.{k}", agency, Role.REFERRER, ended=rng.random() < 0.1)
        for k in range(2 if expected[agency.id] > 3000 else 1):
            if agency.id == bench_agency.id and k == 0:
                continue
            person(f"lead.{agency.id}.{k}", agency, Role.AGENCY_LEAD, job_title="DSL")
    bench_lead = person(BENCH_LEAD, bench_agency, Role.AGENCY_LEAD, job_title="Named nurse")

    panels = [
        Panel(id=1, name="Fenmarsh MASH Screening", kind=PanelKind.MASH),
        Panel(id=2, name="Fenmarsh Child Exploitation and Missing", kind=PanelKind.EXPLOITATION),
        Panel(id=3, name="Fenmarsh MARAC", kind=PanelKind.MARAC),
    ]
    copy_objects(Panel, panels)
    core = [
        a
        for a in agencies
        if a.agency_type
        in {
            AgencyType.POLICE,
            AgencyType.CHILDRENS_SOCIAL_CARE,
            AgencyType.YOUTH_JUSTICE,
            AgencyType.PROBATION,
        }
    ]
    others = [a for a in agencies if a not in core and a.is_active]
    through = Panel.member_agencies.through
    links, panel_agencies = [], {}
    for panel in panels:
        members = core + rng.sample(others, 8)
        panel_agencies[panel.id] = members
        for agency in members:
            links.append(through(id=len(links) + 1, panel_id=panel.id, agency_id=agency.id))
    copy_objects(through, links)

    panel_memberships = []

    def sit(uid, panel_id, agency_id, role, *, ended=False):
        panel_memberships.append(
            PanelMembership(
                id=len(panel_memberships) + 1,
                panel_id=panel_id,
                user_id=uid,
                agency_id=agency_id,
                role=role,
                started_at=start,
                ended_at=now - timedelta(days=rng.randint(30, 300)) if ended else None,
                end_reason="Stood down." if ended else "",
            )
        )

    for panel in panels:
        members = panel_agencies[panel.id]
        for k in range(10):
            agency = members[k % len(members)]
            role = PanelRole.CHAIR if k == 0 else PanelRole.DEPUTY if k == 1 else PanelRole.MEMBER
            uid = person(
                f"panel.{panel.id}.{k}",
                agency,
                Role.PANEL_CHAIR if k == 0 else Role.PANEL_MEMBER,
            )
            sit(uid, panel.id, agency.id, role, ended=k == 9)
    # The benchmarked panel member sits on the exploitation panel only, for youth justice.
    yjs = next(a for a in panel_agencies[2] if a.agency_type == AgencyType.YOUTH_JUSTICE)
    bench_panel = person(BENCH_PANEL_MEMBER, yjs, Role.PANEL_MEMBER, job_title="YJS officer")
    sit(bench_panel, 2, yjs.id, PanelRole.MEMBER)
    # An ended seat elsewhere gives nothing.
    sit(bench_panel, 3, yjs.id, PanelRole.MEMBER, ended=True)

    coordinator = person("coordinator.1", partnership, Role.PANEL_COORDINATOR)
    for panel in panels:
        sit(coordinator, panel.id, partnership.id, PanelRole.COORDINATOR)
    person(BENCH_AUDITOR, partnership, Role.QUALITY_AUDITOR, job_title="Quality auditor")
    person("dpo.1", partnership, Role.DATA_PROTECTION_OFFICER)
    person("admin.1", partnership, Role.SYSTEM_ADMINISTRATOR)

    copy_objects(User, users)
    copy_objects(Membership, memberships)
    copy_objects(PanelMembership, panel_memberships)

    meetings = []
    for panel in panels:
        at = (now - SPAN).replace(hour=10, minute=0, second=0, microsecond=0)
        at += timedelta(days=panel.id * 3)
        while at < now + timedelta(days=28):
            meetings.append(
                Meeting(
                    id=len(meetings) + 1,
                    panel_id=panel.id,
                    starts_at=at,
                    place="Fenmarsh Civic Centre, Room 2",
                    status=MeetingStatus.CLOSED
                    if at < now - timedelta(days=1)
                    else MeetingStatus.SCHEDULED,
                )
            )
            at += timedelta(days=14)
    copy_objects(Meeting, meetings)
    assert bench_lead and bench_panel


def load_world(now: datetime) -> World:
    agencies = [
        AgencyInfo(
            id=a["id"],
            name=a["name"],
            agency_type=a["agency_type"],
            is_active=a["is_active"],
            group_id=a["permission_group_id"],
            weight=_weight(a["name"], TYPE_WEIGHT, a["agency_type"]),
            share_weight=_weight(a["name"], SHARE_WEIGHT, a["agency_type"]),
        )
        for a in Agency.objects.order_by("id").values(
            "id", "name", "agency_type", "is_active", "permission_group_id"
        )
    ]
    referrers, leads = defaultdict(list), defaultdict(list)
    for user_id, agency_id, role in Membership.objects.order_by("id").values_list(
        "user_id", "agency_id", "role"
    ):
        if role == Role.REFERRER:
            referrers[agency_id].append(user_id)
        elif role == Role.AGENCY_LEAD:
            leads[agency_id].append(user_id)
    bench = dict(
        User.objects.filter(
            username__in=[BENCH_LEAD, BENCH_PANEL_MEMBER, BENCH_AUDITOR]
        ).values_list("username", "id")
    )
    bench_agency_id = Membership.objects.get(
        user_id=bench[BENCH_LEAD], role=Role.AGENCY_LEAD
    ).agency_id
    bench_panel_id = PanelMembership.objects.get(
        user_id=bench[BENCH_PANEL_MEMBER], ended_at__isnull=True
    ).panel_id
    view_referral = Permission.objects.get(
        codename="view_referral", content_type=ContentType.objects.get_for_model(Referral)
    )
    return World(
        now=now,
        agencies=agencies,
        referrers=dict(referrers),
        leads=dict(leads),
        meetings=list(Meeting.objects.order_by("id").values_list("id", "panel_id", "starts_at")),
        view_referral_id=view_referral.id,
        bench_lead_id=bench[BENCH_LEAD],
        bench_panel_member_id=bench[BENCH_PANEL_MEMBER],
        bench_auditor_id=bench[BENCH_AUDITOR],
        bench_agency_id=bench_agency_id,
        bench_panel_id=bench_panel_id,
    )


# --- Cases -----------------------------------------------------------------------------------

CLOSING_STATES = {
    ReferralState.NO_FURTHER_ACTION,
    ReferralState.EARLY_HELP,
    ReferralState.CLOSED,
    ReferralState.WITHDRAWN,
}
RECENT_STATES = (
    [ReferralState.DRAFT, ReferralState.SUBMITTED, ReferralState.SCREENED],
    [30, 45, 25],
)
SETTLED_STATES = (
    [
        ReferralState.DRAFT,  # abandoned drafts
        ReferralState.SUBMITTED,
        ReferralState.SCREENED,
        ReferralState.NO_FURTHER_ACTION,
        ReferralState.EARLY_HELP,
        ReferralState.ESCALATED,
        ReferralState.CLOSED,
        ReferralState.WITHDRAWN,
    ],
    [2, 1, 2, 30, 25, 4, 32, 4],
)


def seed_cases(world: World, n: int, *, rng: random.Random) -> dict[str, int]:
    """Children, referrals and everything that hangs off a referral, for `n` referrals."""
    now = world.now
    start = now - SPAN
    n_children = max(1, n // 2)
    children = [
        Child(
            id=i,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            date_of_birth=date.fromordinal(now.date().toordinal() - rng.randint(30, 17 * 365)),
            nhs_number=f"{rng.randrange(10**9, 10**10)}" if rng.random() < 0.7 else "",
            created_at=start - timedelta(days=rng.randint(0, 60)),
        )
        for i in range(1, n_children + 1)
    ]

    agency_ids = [a.id for a in world.agencies if world.referrers.get(a.id)]
    by_id = {a.id: a for a in world.agencies}
    cum = []
    total = 0.0
    for agency_id in agency_ids:
        total += by_id[agency_id].weight
        cum.append(total)

    # Volume grows a little over the three years; ids follow time, as a sequence would.
    span_s = SPAN.total_seconds() - 3600
    created = sorted(start + timedelta(seconds=span_s * rng.random() ** 0.8) for _ in range(n))
    referrals = []
    for i, created_at in enumerate(created, start=1):
        agency_id = agency_ids[bisect.bisect_left(cum, rng.random() * total)]
        age = now - created_at
        if age < timedelta(days=14):
            state = rng.choices(*RECENT_STATES)[0]
        else:
            state = rng.choices(*SETTLED_STATES)[0]
        submitted_at = (
            None
            if state == ReferralState.DRAFT
            else created_at + timedelta(hours=rng.randint(0, 48))
        )
        closed_at = None
        if state in CLOSING_STATES:
            closed_at = min(
                created_at + timedelta(days=rng.randint(1, 90)), now - timedelta(hours=1)
            )
        referrals.append(
            Referral(
                id=i,
                reference=f"R{created_at:%y}-{i:07d}",
                child_id=rng.randint(1, n_children),
                agency_id=agency_id,
                referrer_id=rng.choice(world.referrers[agency_id]),
                state=state,
                concern=" ".join(rng.sample(CONCERN_SENTENCES, rng.randint(2, 4))),
                created_at=created_at,
                submitted_at=submitted_at,
                closed_at=closed_at,
            )
        )

    def submitted(r):
        return r.state != ReferralState.DRAFT

    # Agenda items: ~2% of referrals, listed on a meeting 1-45 days after they came in.
    agenda = []
    n_agenda = round(n * 0.02)
    per_meeting = n_agenda / max(1, len(world.meetings))
    carry = 0.0
    for meeting_id, _panel_id, starts_at in world.meetings:
        carry += per_meeting
        k, carry = int(carry), carry - int(carry)
        lo = bisect.bisect_left(created, starts_at - timedelta(days=45))
        hi = bisect.bisect_left(created, starts_at - timedelta(days=1))
        pool = [r for r in referrals[lo:hi] if submitted(r)]
        for position, r in enumerate(rng.sample(pool, min(k, len(pool)))):
            listed_at = max(r.submitted_at, starts_at - timedelta(days=rng.randint(2, 14)))
            age = now - starts_at
            if age < timedelta(days=1):
                r.state, r.closed_at = ReferralState.LISTED_FOR_PANEL, None
            elif age < timedelta(days=60):
                r.state = rng.choices(
                    [ReferralState.LISTED_FOR_PANEL, ReferralState.ESCALATED, ReferralState.CLOSED],
                    [40, 35, 25],
                )[0]
                r.closed_at = (
                    starts_at + (now - starts_at) * rng.random()
                    if r.state == ReferralState.CLOSED
                    else None
                )
            else:
                r.state = rng.choices(
                    [
                        ReferralState.CLOSED,
                        ReferralState.ESCALATED,
                        ReferralState.NO_FURTHER_ACTION,
                    ],
                    [80, 12, 8],
                )[0]
                r.closed_at = (
                    None
                    if r.state == ReferralState.ESCALATED
                    else min(
                        starts_at + timedelta(days=rng.randint(7, 90)), now - timedelta(hours=1)
                    )
                )
            withdrawn = rng.random() < 0.05
            agenda.append(
                AgendaItem(
                    id=len(agenda) + 1,
                    meeting_id=meeting_id,
                    referral_id=r.id,
                    position=position,
                    listed_at=listed_at,
                    withdrawn_at=listed_at + timedelta(days=1) if withdrawn else None,
                )
            )

    submitted_referrals = [r for r in referrals if submitted(r)]
    targets = [a for a in world.agencies if a.is_active]
    target_cum, t = [], 0.0
    for a in targets:
        t += a.share_weight
        target_cum.append(t)

    # Shares: ~3% of referrals; one in twenty since withdrawn (the guardian row goes with it).
    shares, group_perms, seen = [], [], set()
    n_shares = round(n * 0.03)
    attempts = 0
    while len(shares) < n_shares and submitted_referrals and attempts < n_shares * 20:
        attempts += 1
        r = rng.choice(submitted_referrals)
        target = targets[bisect.bisect_left(target_cum, rng.random() * t)]
        if target.id == r.agency_id or (r.id, target.id) in seen:
            continue
        seen.add((r.id, target.id))
        sharer = (world.leads.get(r.agency_id) or world.referrers[r.agency_id])[0]
        shared_at = min(r.submitted_at + timedelta(days=rng.randint(0, 20)), now)
        withdrawn = rng.random() < 0.05
        shares.append(
            ReferralShare(
                id=len(shares) + 1,
                referral_id=r.id,
                agency_id=target.id,
                reason=rng.choice(SHARE_REASONS),
                shared_by_id=sharer,
                shared_at=shared_at,
                withdrawn_at=shared_at + timedelta(days=3) if withdrawn else None,
                withdrawn_by_id=sharer if withdrawn else None,
                withdrawal_reason="Shared in error." if withdrawn else "",
            )
        )
        if not withdrawn:
            group_perms.append(
                ReferralGroupObjectPermission(
                    id=len(group_perms) + 1,
                    content_object_id=r.id,
                    group_id=target.group_id,
                    permission_id=world.view_referral_id,
                )
            )

    # Guardian user permissions: a case allocated to one worker of another agency.
    user_perms, seen = [], set()

    def allocate(user_id, r):
        if (user_id, r.id) not in seen:
            seen.add((user_id, r.id))
            user_perms.append(
                ReferralUserObjectPermission(
                    id=len(user_perms) + 1,
                    content_object_id=r.id,
                    user_id=user_id,
                    permission_id=world.view_referral_id,
                )
            )

    all_referrers = [u for ids in world.referrers.values() for u in ids]
    if submitted_referrals:
        for _ in range(round(n * 0.003)):
            allocate(rng.choice(all_referrers), rng.choice(submitted_referrals))
        recent = submitted_referrals[-max(1, len(submitted_referrals) // 50) :]
        for _ in range(3):
            allocate(world.bench_panel_member_id, rng.choice(recent))
        for _ in range(2):
            allocate(world.bench_lead_id, rng.choice(recent))

    # Break the glass: leads' time-limited accesses, nearly all long expired; the benchmarked
    # lead holds two live ones (kept live by refresh_live_break_glass) and three expired.
    break_glass = []
    all_leads = [u for ids in world.leads.values() for u in ids]
    others = [r for r in submitted_referrals if r.agency_id != world.bench_agency_id]
    if others:
        for _ in range(round(n * 0.001)):
            opened = now - timedelta(days=rng.randint(1, 3 * 365))
            break_glass.append(
                BreakGlassAccess(
                    id=len(break_glass) + 1,
                    user_id=rng.choice(all_leads),
                    referral_id=rng.choice(others).id,
                    reason="Urgent strategy discussion out of hours.",
                    opened_at=opened,
                    expires_at=opened + timedelta(hours=settings.BREAK_GLASS_HOURS),
                )
            )
        for k in range(5):
            live = k < 2
            opened = now - (timedelta(hours=1) if live else timedelta(days=rng.randint(5, 400)))
            pick = others[-1 - k] if k == 0 else rng.choice(others)
            break_glass.append(
                BreakGlassAccess(
                    id=len(break_glass) + 1,
                    user_id=world.bench_lead_id,
                    referral_id=pick.id,
                    reason=(LIVE_BREAK_GLASS_MARK + " " if live else "")
                    + "Child presented at A&E out of hours; need history now.",
                    opened_at=opened,
                    expires_at=opened + timedelta(hours=settings.BREAK_GLASS_HOURS),
                )
            )

    counts = {
        "children": copy_objects(Child, children),
        "referrals": copy_objects(Referral, referrals),
        "agenda items": copy_objects(AgendaItem, agenda),
        "shares": copy_objects(ReferralShare, shares),
        "group perms": copy_objects(ReferralGroupObjectPermission, group_perms),
        "user perms": copy_objects(ReferralUserObjectPermission, user_perms),
        "break-glass": copy_objects(BreakGlassAccess, break_glass),
    }
    return counts


def refresh_live_break_glass(world: World, now: datetime) -> int:
    """The benchmarked lead's two live break-glass accesses: opened an hour ago, still open."""
    return BreakGlassAccess.objects.filter(
        user_id=world.bench_lead_id, reason__startswith=LIVE_BREAK_GLASS_MARK
    ).update(
        opened_at=now - timedelta(hours=1),
        expires_at=now - timedelta(hours=1) + timedelta(hours=settings.BREAK_GLASS_HOURS),
    )


REFERENCE_MODELS = [
    Group,
    Agency,
    User,
    Membership,
    Panel,
    Panel.member_agencies.through,
    PanelMembership,
    Meeting,
]
CASE_MODELS = [
    Child,
    Referral,
    AgendaItem,
    ReferralShare,
    ReferralGroupObjectPermission,
    ReferralUserObjectPermission,
    BreakGlassAccess,
]
