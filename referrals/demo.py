"""Demo referrals, shares, panels and a break-glass access in the fictional borough of Fenmarsh.

Each rule in docs/access.md has something here that shows it. Every child is invented; NHS
numbers are from the 999 range the NHS keeps for testing.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

import access
from agencies.models import Agency
from panels.models import AgendaItem, Meeting, MeetingStatus, Panel, PanelKind, PanelMembership
from referrals import clocks_for, intake, matching, services
from referrals.models import (
    BreakGlassAccess,
    Category,
    Child,
    ChildMatch,
    Consent,
    Contribution,
    ContributionRequest,
    ContributionSensitivity,
    FamilyAware,
    Gender,
    HouseholdMember,
    MatchStatus,
    Rag,
    Referral,
    ReferralShare,
    ReferralState,
    ReferralTransition,
)


def nhs_test_number(seed: int) -> str:
    """A valid NHS number (modulus 11) in the 999 range reserved for testing."""
    while True:
        body = f"999{seed:06d}"
        total = sum(
            int(digit) * weight for digit, weight in zip(body, range(10, 1, -1), strict=True)
        )
        check = 11 - total % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)
        seed += 1


CHILDREN = [
    # key, first, last, date of birth
    ("kai", "Kai", "Thornbury", date(2010, 3, 14)),
    ("ellie", "Ellie-Mae", "Castellan", date(2011, 7, 2)),
    ("rhys", "Rhys", "Oduya-Penn", date(2009, 11, 23)),
    ("zara", "Zara", "Quillfeather", date(2012, 1, 9)),
    ("jamie", "Jamie", "Holloway-Strand", date(2013, 5, 30)),
    ("noor", "Noor", "Aldwyck", date(2010, 9, 17)),
]

# key, child, agency name, referrer username, state, days ago, concern
REFERRALS = [
    (
        "FEN-2026-0001",
        "kai",
        "Fenmarsh Constabulary",
        "dana.harlow",
        ReferralState.LISTED_FOR_PANEL,
        40,
        "Found twice in a car with older males outside the town; missing from home three times this month.",
    ),
    (
        "FEN-2026-0002",
        "ellie",
        "Willowmere Academy",
        "priya.okafor",
        ReferralState.LISTED_FOR_PANEL,
        30,
        "New expensive phone and clothes; attendance has fallen to 60%; seen with an older boyfriend.",
    ),
    (
        "FEN-2026-0003",
        "rhys",
        "Fenmarsh Community Health NHS Trust",
        "tom.ellery",
        ReferralState.SUBMITTED,
        1,
        "Disclosed carrying packages between towns for someone he owes money to.",
    ),
    (
        "FEN-2026-0004",
        "zara",
        "Fenmarsh Constabulary",
        "dana.harlow",
        ReferralState.SCREENED,
        5,
        "Domestic abuse incident at home overnight; Zara was present.",
    ),
    (
        "FEN-2026-0005",
        "jamie",
        "Willowmere Academy",
        "priya.okafor",
        ReferralState.DRAFT,
        0,
        "Draft: bruising noticed in PE; to be discussed with the safeguarding lead.",
    ),
    (
        "FEN-2026-0006",
        "noor",
        "Fenmarsh Community Health NHS Trust",
        "tom.ellery",
        ReferralState.CLOSED,
        120,
        "Missed health appointments; family since engaged with early help. Closed.",
    ),
    (
        "FEN-2026-0007",
        "kai",
        "Willowmere Academy",
        "priya.okafor",
        ReferralState.SUBMITTED,
        2,
        "Not in school for four days; friends say he is staying in another town.",
    ),
]


@transaction.atomic
def seed_referrals(people: dict, agencies: dict) -> dict:
    User = get_user_model()
    agency_by_name = {agency.name: agency for agency in Agency.objects.all()}
    now = timezone.now()

    children = {}
    for index, (key, first, last, born) in enumerate(CHILDREN):
        children[key] = _child(first, last, born, nhs_test_number(100 + index * 7))

    hub, _ = Panel.objects.get_or_create(
        name="Fenmarsh MASH Screening", defaults={"kind": PanelKind.MASH}
    )
    referrals = {}
    for index, (reference, child_key, agency_name, username, state, days_ago, concern) in enumerate(
        REFERRALS
    ):
        created = now - timedelta(days=days_ago, hours=3)
        referral, was_created = Referral.objects.get_or_create(
            reference=reference,
            defaults={
                "child": children[child_key],
                "agency": agency_by_name[agency_name],
                "referrer": User.objects.get(username=username),
                "state": state,
                "concern": concern,
                "created_at": created,
                "submitted_at": None if state == ReferralState.DRAFT else created,
                "closed_at": created + timedelta(days=20)
                if state == ReferralState.CLOSED
                else None,
                **_details(index),
            },
        )
        if was_created:
            _live_through(referral, state, hub=hub, coordinator=people["maya.lindqvist"], n=index)
        referrals[reference] = referral

    police = agencies["police"]
    maya = people["maya.lindqvist"]
    # A school referral shared with the police (seen by the police lead through the share).
    _share(
        referrals["FEN-2026-0002"],
        police,
        maya,
        "Possible child sexual exploitation: police intelligence needed.",
    )
    # A share that was withdrawn: recorded, never deleted.
    withdrawn = _share(
        referrals["FEN-2026-0004"], agencies["housing"], maya, "Housing to check tenancy concerns."
    )
    if withdrawn.withdrawn_at is None:
        withdrawn.withdrawn_at = now - timedelta(days=2)
        withdrawn.withdrawn_by = maya
        withdrawn.withdrawal_reason = "Shared in error: the family is not a Fenmarsh Homes tenant."
        withdrawn.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"])

        remove_perm(
            access.VIEW_REFERRAL, agencies["housing"].permission_group, referrals["FEN-2026-0004"]
        )

    contributions = [
        (
            "FEN-2026-0001",
            "health",
            "grace.adebayo",
            ContributionSensitivity.NORMAL,
            "Attended A&E twice in three months with minor injuries; explanations inconsistent.",
        ),
        (
            "FEN-2026-0001",
            "police",
            "sam.whitlock",
            ContributionSensitivity.PANEL_ONLY,
            "Intelligence links the vehicle to a county lines group under investigation. Panel only.",
        ),
        (
            "FEN-2026-0002",
            "school",
            "helen.marsh",
            ContributionSensitivity.NOT_FOR_FAMILY,
            "Ellie-Mae told a teacher she is scared of her boyfriend; she asked us not to tell her mother yet.",
        ),
    ]
    for reference, agency_key, username, sensitivity, text in contributions:
        Contribution.objects.get_or_create(
            referral=referrals[reference],
            agency=agencies[agency_key],
            text=text,
            defaults={"author": people[username], "sensitivity": sensitivity},
        )

    panels = _seed_panels(people, agencies, referrals, now)

    # A worker given one case individually through django-guardian.
    assign_perm(access.VIEW_REFERRAL, people["lewis.tran"], referrals["FEN-2026-0007"])
    referrals.update(_seed_caseload(people, agencies, children, hub, now))
    return {"children": children, "referrals": referrals, "panels": panels}


def _share(referral, agency, by, reason):
    share = ReferralShare.objects.filter(referral=referral, agency=agency).first()
    if share is None:
        share = ReferralShare.objects.create(
            referral=referral, agency=agency, reason=reason, shared_by=by
        )
        assign_perm(access.VIEW_REFERRAL, agency.permission_group, referral)
    return share


def _seed_panels(people, agencies, referrals, now):
    exploitation, _ = Panel.objects.get_or_create(
        name="Fenmarsh Child Exploitation and Missing Panel",
        defaults={"kind": PanelKind.EXPLOITATION},
    )
    mash, _ = Panel.objects.get_or_create(
        name="Fenmarsh MASH Screening", defaults={"kind": PanelKind.MASH}
    )
    exploitation.member_agencies.add(
        *[agencies[k] for k in ("police", "health", "school", "csc", "yjs")]
    )
    mash.member_agencies.add(*[agencies[k] for k in ("police", "health", "school", "csc")])
    seats = [
        (exploitation, "alan.brightwater", "csc", "chair"),
        (exploitation, "maya.lindqvist", "csc", "coordinator"),
        (exploitation, "sam.whitlock", "police", "member"),
        (exploitation, "grace.adebayo", "health", "member"),
        (exploitation, "helen.marsh", "school", "member"),
        (exploitation, "ruth.kellaway", "csc", "member"),
        (exploitation, "lewis.tran", "yjs", "member"),
        (mash, "nadia.coombe", "police", "chair"),
        (mash, "josh.ferrant", "police", "coordinator"),
    ]
    for panel, username, agency_key, role in seats:
        PanelMembership.objects.get_or_create(
            panel=panel,
            user=people[username],
            agency=agencies[agency_key],
            role=role,
            ended_at=None,
        )
    next_meeting_day = (now + timedelta(days=(1 - now.weekday()) % 7 or 7)).date()
    meeting, _ = Meeting.objects.get_or_create(
        panel=exploitation,
        status=MeetingStatus.SCHEDULED,
        defaults={
            "starts_at": timezone.make_aware(
                datetime.combine(next_meeting_day, datetime.min.time())
            )
            + timedelta(hours=10),
            "place": "Fenmarsh Civic Centre, Room 2, and video link",
        },
    )
    for position, reference in enumerate(["FEN-2026-0001", "FEN-2026-0002"], start=1):
        AgendaItem.objects.get_or_create(
            meeting=meeting, referral=referrals[reference], defaults={"position": position}
        )
    return {"exploitation": exploitation, "mash": mash}


# --- The caseload: about 40 children and 60 referrals ---------------------------------------
#
# Referrals from every kind of agency in every state, each with its history; the same child
# referred again within 12 months; suggested matches waiting for the screener; information of
# each sensitivity; requests not yet answered; and clocks both met and missed.

# Who refers, and who answers information requests, for each agency.
REFERRER_OF = {
    "police": "dana.harlow",
    "health": "tom.ellery",
    "school": "priya.okafor",
    "primary": "owen.price",
    "csc": "ruth.kellaway",
    "yjs": "carys.wendle",
    "probation": "olu.brannigan",
    "housing": "mina.trask",
    "voluntary": "jo.pennock",
}
LEAD_OF = {
    **REFERRER_OF,
    "police": "sam.whitlock",
    "health": "grace.adebayo",
    "school": "helen.marsh",
}
AGENCY_ORDER = list(REFERRER_OF)

MORE_CHILDREN = [
    # key, first, last, date of birth (None: unborn)
    ("ava", "Ava", "Brackenfold", date(2011, 2, 3)),
    ("leo", "Leo", "Cindermoor", date(2009, 6, 21)),
    ("maisie", "Maisie", "Dapplewick", date(2014, 10, 8)),
    ("tyler", "Tyler", "Emberlyn", date(2008, 12, 1)),
    ("freya", "Freya", "Fallowmere", date(2012, 4, 16)),
    ("josh", "Joshua", "Glimmerford", date(2010, 8, 29)),
    ("amira", "Amira", "Hollowbeck", date(2013, 3, 11)),
    ("callum", "Callum", "Inkwell-Harte", date(2009, 1, 25)),
    ("poppy", "Poppy", "Juniperra", date(2016, 7, 4)),
    ("reuben", "Reuben", "Kestrelby", date(2011, 11, 30)),
    ("isla", "Isla", "Lanternfield", date(2015, 5, 19)),
    ("dexter", "Dexter", "Mossington", date(2008, 9, 9)),
    ("sienna", "Sienna", "Nettlecombe", date(2012, 12, 12)),
    ("harvey", "Harvey", "Oakenshaw-Pike", date(2010, 2, 14)),
    ("lily", "Lily-Rose", "Pemberdrift", date(2017, 1, 7)),
    ("kayden", "Kayden", "Quarrendon", date(2009, 4, 2)),
    ("ruby", "Ruby", "Rushwick", date(2013, 8, 23)),
    ("mason", "Mason", "Saltmarrow", date(2011, 6, 6)),
    ("esme", "Esme", "Tillingford", date(2014, 2, 27)),
    ("jayden", "Jayden", "Umberside", date(2008, 7, 15)),
    ("hafsa", "Hafsa", "Vellacott", date(2012, 9, 3)),
    ("ollie", "Ollie", "Wrenfield", date(2015, 11, 11)),
    ("tilly", "Tilly", "Yarrowby", date(2018, 3, 20)),
    ("bilal", "Bilal", "Zephyrine", date(2010, 10, 10)),
    ("nia", "Nia", "Ashcombe-Vale", date(2013, 1, 31)),
    ("alfie", "Alfie", "Bellweather", date(2009, 5, 5)),
    ("daisy", "Daisy", "Corriemoss", date(2016, 12, 24)),
    ("kian", "Kian", "Dunnockley", date(2011, 3, 17)),
    ("scarlett", "Scarlett", "Elderbrook", date(2014, 6, 1)),
    ("roman", "Roman", "Foxhollow", date(2008, 11, 19)),
    ("evie", "Evie", "Gorseway", date(2012, 7, 28)),
    ("marcel", "Marcel", "Heathercott", date(2010, 4, 9)),
    ("layla", "Layla", "Ivybridge-Fenn", date(2015, 8, 13)),
    ("baby", "Baby", "Pemberdrift", None),  # unborn: a pre-birth referral
]

CONCERNS = [
    (
        [Category.MISSING, Category.CCE],
        "Missing overnight three times this month; returned with new trainers and cash he could not explain.",
    ),
    (
        [Category.NEGLECT],
        "Often arrives hungry and in the same clothes; told staff there is no food at home at weekends.",
    ),
    (
        [Category.DOMESTIC, Category.EMOTIONAL],
        "Police attended a domestic incident at the home; the child was in the next room and was tearful the next day.",
    ),
    (
        [Category.CSE, Category.ONLINE],
        "Messages on her phone from an adult asking for photos; she has been picked up from school by unknown men.",
    ),
    (
        [Category.PHYSICAL],
        "Bruising to the upper arm in the shape of fingertips; the explanation given changed twice.",
    ),
    ([Category.MISSING], "Missing from care placement for 36 hours; found in a neighbouring town."),
    (
        [Category.ONLINE, Category.RADICALISATION],
        "Sharing extremist videos with classmates and talking about a group he has joined online.",
    ),
    (
        [Category.SEXUAL],
        "Disclosed to a youth worker that an older relative touches her; asked that her mother is not told yet.",
    ),
    (
        [Category.CCE],
        "Found with a large amount of cash and two phones; believed to be running drugs for an older group.",
    ),
    (
        [Category.TRAFFICKING, Category.CCE],
        "Brought to the country recently; works long hours in a car wash and does not attend school.",
    ),
    (
        [Category.FGM],
        "Family planning a long trip abroad in the summer; an older sister has said she is frightened of a ceremony.",
    ),
    (
        [Category.NEGLECT, Category.DOMESTIC],
        "Pre-birth: mother has two older children removed; partner has a history of violence.",
    ),
]

STATES = [
    ReferralState.DRAFT,
    ReferralState.SUBMITTED,
    ReferralState.SCREENED,
    ReferralState.NO_FURTHER_ACTION,
    ReferralState.EARLY_HELP,
    ReferralState.LISTED_FOR_PANEL,
    ReferralState.ESCALATED,
    ReferralState.CLOSED,
    ReferralState.WITHDRAWN,
]
FIRST_GENERATED = 8
GENERATED = 53  # FEN-2026-0008 to FEN-2026-0060

REASONS = {
    "screen": "Risk indicators checked against police, health and school records.",
    "no_further_action": "No safeguarding concern once checks were made; the school will monitor.",
    "early_help": "Needs are below the threshold for statutory work; the family agreed to early help.",
    "list_for_panel": "Exploitation indicators from more than one agency: for the multi-agency panel.",
    "escalate": "Strategy discussion needed today: significant harm is likely.",
    "close": "Plan completed; the child is settled and attending school.",
    "withdraw": "Referred to the wrong area: the family lives outside Fenmarsh.",
}


def _details(n: int) -> dict:
    """The categories, consent and lawful basis of the n-th demo referral."""
    categories = CONCERNS[n % len(CONCERNS)][0]
    consent = [Consent.NOT_SOUGHT, Consent.GIVEN, Consent.REFUSED][n % 3]
    without = consent != Consent.GIVEN
    return {
        "categories": list(categories),
        "immediate_risk": n % 5 == 0,
        "family_aware": [FamilyAware.YES, FamilyAware.NO, FamilyAware.NOT_KNOWN][n % 3],
        "consent": consent,
        "lawful_basis": "Children Act 1989 s47; UK GDPR Art 6(1)(e)" if without else "",
        "reason_without_consent": "Telling the family may place the child at greater risk."
        if without
        else "",
    }


# The moves that lead to each state, after submission.
PATHS = {
    ReferralState.DRAFT: [],
    ReferralState.SUBMITTED: ["submit"],
    ReferralState.SCREENED: ["submit", "screen"],
    ReferralState.NO_FURTHER_ACTION: ["submit", "screen", "no_further_action"],
    ReferralState.EARLY_HELP: ["submit", "screen", "early_help"],
    ReferralState.LISTED_FOR_PANEL: ["submit", "screen", "list_for_panel"],
    ReferralState.ESCALATED: ["submit", "screen", "escalate"],
    ReferralState.CLOSED: ["submit", "screen", "early_help", "close"],
    ReferralState.WITHDRAWN: ["submit", "withdraw"],
}
TARGET = {
    "submit": ReferralState.SUBMITTED,
    "screen": ReferralState.SCREENED,
    "no_further_action": ReferralState.NO_FURTHER_ACTION,
    "early_help": ReferralState.EARLY_HELP,
    "list_for_panel": ReferralState.LISTED_FOR_PANEL,
    "escalate": ReferralState.ESCALATED,
    "close": ReferralState.CLOSED,
    "withdraw": ReferralState.WITHDRAWN,
}


def _live_through(referral, state, *, hub, coordinator, n: int) -> None:
    """Give a new demo referral the history that brought it to `state`, with its clocks: the
    n-th is screened and decided on time or late, by turns."""
    referral.hub = hub
    received = referral.submitted_at
    if received is None:
        referral.save(update_fields=["hub"])
        return
    deadlines = clocks_for.deadlines_on_receipt(referral, received)
    referral.screening_due_at = deadlines["screening_due_at"]
    referral.decision_due_at = deadlines["decision_due_at"]
    late = n % 3 == 2  # a third of the clocks are missed
    at = {"submit": received}
    at["screen"] = received + (timedelta(days=5) if late else timedelta(hours=2))
    at["decide"] = at["screen"] + (timedelta(days=6) if late else timedelta(hours=3))
    at["close"] = at["decide"] + timedelta(days=20)
    at["withdraw"] = received + timedelta(hours=5)
    now = timezone.now()
    previous = ReferralState.DRAFT
    for name in PATHS[state]:
        when = at.get(name, at["decide"])
        when = min(when, now - timedelta(minutes=5))
        actor = referral.referrer if name in {"submit", "withdraw"} else coordinator
        ReferralTransition.objects.create(
            referral=referral,
            name=name,
            from_state=previous,
            to_state=TARGET[name],
            actor=actor,
            at=when,
            reason=REASONS.get(name, ""),
        )
        previous = TARGET[name]
        if name == "screen":
            referral.rag = [Rag.RED, Rag.AMBER, Rag.GREEN][n % 3]
            referral.screened_at = when
            referral.decision_due_at = clocks_for.decision_due_after_screening(
                referral, referral.rag
            )
        elif name in {"no_further_action", "early_help", "list_for_panel", "escalate"}:
            referral.decided_at = when
        elif name == "close":
            referral.closed_at = when
            referral.outcome = REASONS["close"]
    referral.save()
    # Feedback to the referrer on the decisions of the last month, as the service gives it.
    latest = referral.closed_at or referral.decided_at
    if latest and now - latest < timedelta(days=30):
        intake.tell_referrer(referral, coordinator)


DECIDED_STATES = {
    ReferralState.NO_FURTHER_ACTION,
    ReferralState.EARLY_HELP,
    ReferralState.LISTED_FOR_PANEL,
    ReferralState.ESCALATED,
}


@dataclass(frozen=True)
class Planned:
    reference: str
    child_key: str
    agency_key: str
    state: str
    received: datetime | None


def _plan(now, child_keys) -> list[Planned]:
    """Each agency in turn, the states shifting by one every round of agencies; the children
    taken in turn, so many are referred again (a repeat) within the year."""
    planned, waiting_so_far, decided_lately = [], 0, set()
    for i in range(GENERATED):
        state = STATES[(i + i // len(AGENCY_ORDER)) % len(STATES)]
        agency_key = AGENCY_ORDER[i % len(AGENCY_ORDER)]
        # Waiting referrals arrived in the last fortnight (some clocks still running, most
        # overdue); each agency's first decided one in the last fortnight too (its referrer
        # has the decision's feedback to read); the others over the last ten months.
        if state in {ReferralState.SUBMITTED, ReferralState.SCREENED}:
            days_ago = [0, 4, 1, 8, 0, 12, 3, 6][waiting_so_far % 8]
            waiting_so_far += 1
        elif state in DECIDED_STATES and agency_key not in decided_lately:
            decided_lately.add(agency_key)
            days_ago = 3 + i % 9
        else:
            days_ago = 12 + (i * 37) % 290
        hours_ago = 1 + (i * 5) % 7
        planned.append(
            Planned(
                reference=f"FEN-2026-{FIRST_GENERATED + i:04d}",
                child_key=child_keys[i % len(child_keys)],
                agency_key=agency_key,
                state=state,
                received=None
                if state == ReferralState.DRAFT
                else now - timedelta(days=days_ago, hours=hours_ago),
            )
        )
    return planned


def _child(first, last, born, nhs_number, **extra) -> Child:
    """The demo child, findable by name (search_name is filled in on older demo data too)."""
    search_name = matching.search_name_for(first, last, extra.get("aliases"))
    child, _ = Child.objects.get_or_create(
        first_name=first,
        last_name=last,
        date_of_birth=born,
        defaults={"nhs_number": nhs_number, "search_name": search_name, **extra},
    )
    if not child.search_name:
        child.search_name = search_name
        child.save(update_fields=["search_name"])
    return child


def _seed_caseload(people, agencies, children, hub, now) -> dict:
    coordinators = [people["maya.lindqvist"], people["josh.ferrant"]]
    for index, (key, first, last, born) in enumerate(MORE_CHILDREN):
        children[key] = _child(
            first,
            last,
            born,
            nhs_test_number(1000 + index * 13),
            is_unborn=born is None,
            expected_date_of_birth=(now + timedelta(days=120)).date() if born is None else None,
            gender=[Gender.FEMALE, Gender.MALE][index % 2] if born else Gender.NOT_KNOWN,
            postcode=f"FE{1 + index % 9} {index % 10}{'ABDEFGHJLN'[index % 10]}X",
            school="Willowmere Academy"
            if born and born.year < 2014
            else "Alderbrook Primary School",
            address=f"{3 + index * 2} {['Heron', 'Marsh', 'Willow', 'Sedge'][index % 4]} Row, Fenmarsh",
            first_language=["English", "Polish", "Arabic", "English", "Romanian"][index % 5],
            ethnicity=["White British", "Mixed", "Asian British", "Black British", "White other"][
                index % 5
            ],
        )
    child_keys = [key for key, *_ in MORE_CHILDREN] + ["kai", "ellie", "zara"]
    seeded, new = {}, []
    for n, planned in enumerate(_plan(now, child_keys), start=len(REFERRALS)):
        agency = agencies[planned.agency_key]
        referral, created = Referral.objects.get_or_create(
            reference=planned.reference,
            defaults={
                "child": children[planned.child_key],
                "agency": agency,
                "referrer": people[REFERRER_OF[planned.agency_key]],
                "state": planned.state,
                "created_at": (planned.received or now) - timedelta(minutes=40),
                "submitted_at": planned.received,
                "concern": CONCERNS[n % len(CONCERNS)][1],
                **_details(n),
            },
        )
        seeded[planned.reference] = referral
        if not created:
            continue
        new.append(referral)
        _live_through(referral, planned.state, hub=hub, coordinator=coordinators[n % 2], n=n)
        if n % 4 == 0:
            HouseholdMember.objects.create(
                child=referral.child,
                referral=referral,
                full_name=f"Sam {referral.child.last_name}",
                relationship=["Mother", "Father", "Stepfather", "Grandmother"][n // 4 % 4],
                lives_with_child=True,
            )
        _seed_information(referral, planned, agencies, people, coordinators[0], n)
    _seed_suggested_matches(new, children)
    return seeded


def _seed_information(referral, planned, agencies, people, coordinator, n) -> None:
    """Requests to other agencies, answered, declined or outstanding, and what they shared."""
    if planned.state in {ReferralState.DRAFT, ReferralState.SUBMITTED, ReferralState.WITHDRAWN}:
        return
    asked_keys = [k for k in ("police", "health", "school") if k != planned.agency_key][:2]
    for turn, key in enumerate(asked_keys):
        agency = agencies[key]
        asked = ContributionRequest.objects.create(
            referral=referral,
            agency=agency,
            requested_by=coordinator,
            requested_at=referral.screened_at or referral.submitted_at,
        )
        _share(referral, agency, coordinator, "Asked for the agency's information")
        outcome = (n + turn) % 4  # 0, 1: answered; 2: outstanding; 3: declined
        if outcome == 3:
            asked.answered_at = asked.requested_at + timedelta(days=1)
            asked.declined_reason = "We hold no record of this child or family."
            asked.save(update_fields=["answered_at", "declined_reason"])
        elif outcome in {0, 1}:
            sensitivity = [
                ContributionSensitivity.NORMAL,
                ContributionSensitivity.NOT_FOR_FAMILY,
                ContributionSensitivity.PANEL_ONLY,
            ][(n + turn) % 3]
            contribution = Contribution.objects.create(
                referral=referral,
                agency=agency,
                author=people[LEAD_OF[key]],
                text=_WHAT_WE_KNOW[key][sensitivity],
                sensitivity=sensitivity,
                lawful_basis="Children Act 2004 s11; UK GDPR Art 6(1)(e)",
                created_at=asked.requested_at + timedelta(hours=20),
            )
            asked.answered_at = contribution.created_at
            asked.save(update_fields=["answered_at"])


_WHAT_WE_KNOW = {
    "police": {
        ContributionSensitivity.NORMAL: "Two missing-person reports this year; found both times within a day.",
        ContributionSensitivity.NOT_FOR_FAMILY: "An adult in the household was arrested last month; the family has not been told of the referral.",
        ContributionSensitivity.PANEL_ONLY: "Intelligence links an associate's car to a county lines line under investigation. Panel only.",
    },
    "health": {
        ContributionSensitivity.NORMAL: "Up to date with immunisations; missed two dental appointments.",
        ContributionSensitivity.NOT_FOR_FAMILY: "Attended A&E with an injury the mother did not know about.",
        ContributionSensitivity.PANEL_ONLY: "Sexual health clinic attendance at 14; the young person asked that this is not shared at home.",
    },
    "school": {
        ContributionSensitivity.NORMAL: "Attendance 78% this term; punctuality has fallen since half term.",
        ContributionSensitivity.NOT_FOR_FAMILY: "Told a teacher that home is 'not safe at the moment' and asked us not to ring mum.",
        ContributionSensitivity.PANEL_ONLY: "A peer has reported seeing the child handing over packages at the school gate.",
    },
}


def _seed_suggested_matches(new_referrals, children) -> None:
    """Some referrals name a child already known under a slightly different name: the screener
    has a suggested match to confirm or reject."""
    waiting = [r for r in new_referrals if r.state == ReferralState.SUBMITTED]
    variants = [
        ("ava", "Eva", "Brackenfold", "Same date of birth; name 91% alike", 0.91, False),
        ("leo", "Leo", "Cindermore", "Same date of birth; name 94% alike", 0.94, False),
        ("amira", "Amirah", "Hollowbeck", "Same NHS number", 1.0, True),
        ("reuben", "Reuben", "Kestrelbey", "Same date of birth; name 95% alike", 0.95, False),
    ]
    for referral, (key, first, last, reasons, score, same_nhs) in zip(
        waiting, variants, strict=False
    ):
        known = children[key]
        duplicate = _child(
            first,
            last,
            known.date_of_birth,
            known.nhs_number if same_nhs else "",
            gender=known.gender,
        )
        referral.child = duplicate
        referral.save(update_fields=["child"])
        ChildMatch.objects.get_or_create(
            referral=referral,
            candidate=known,
            defaults={"reasons": reasons, "score": score, "status": MatchStatus.SUGGESTED},
        )


# Break glass, through the real service (outside seed_referrals' transaction): who, on which
# agency's case (the first of that agency's referrals they may break the glass on), and why.
BREAK_GLASS = [
    (
        "owen.price",
        "FEN-2026-0004",
        None,
        "Zara's younger brother attends Alderbrook; he arrived distressed this morning.",
    ),
    (
        "helen.marsh",
        None,
        "health",
        "A Willowmere pupil's sibling; the school nurse visits the home this afternoon.",
    ),
    (
        "owen.price",
        None,
        "csc",
        "An Alderbrook pupil disclosed at breakfast club; the class teacher needs the plan.",
    ),
]


def seed_break_glass(people: dict, agencies: dict) -> None:
    """Each break-glass story once: the case's agency leads and data protection officers are
    told, as in real use."""
    for username, reference, agency_key, reason in BREAK_GLASS:
        user = people[username]
        if BreakGlassAccess.objects.filter(user=user, reason=reason).exists():
            continue
        candidates = (
            Referral.objects.filter(reference=reference)
            if reference
            else Referral.objects.filter(
                agency=agencies[agency_key], reference__startswith="FEN-"
            ).order_by("reference")
        )
        referral = next((r for r in candidates if access.can_break_glass(user, r)), None)
        if referral is not None:
            services.referral_break_glass(actor=user, referral=referral, reason=reason)
