"""Demo referrals, shares, panels and a break-glass access in the fictional borough of Fenmarsh.

Each rule in docs/access.md has something here that shows it. Every child is invented; NHS
numbers are from the 999 range the NHS keeps for testing.
"""

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from agencies import policy
from agencies.models import Agency
from panels.models import AgendaItem, Meeting, MeetingStatus, Panel, PanelKind, PanelMembership
from referrals.models import (
    BreakGlassAccess,
    Child,
    Contribution,
    ContributionSensitivity,
    Referral,
    ReferralShare,
    ReferralState,
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
        child, _ = Child.objects.get_or_create(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            defaults={"nhs_number": nhs_test_number(100 + index * 7)},
        )
        children[key] = child

    referrals = {}
    for reference, child_key, agency_name, username, state, days_ago, concern in REFERRALS:
        created = now - timedelta(days=days_ago, hours=3)
        referral, _ = Referral.objects.get_or_create(
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
            },
        )
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
        from guardian.shortcuts import remove_perm

        remove_perm(
            policy.VIEW_REFERRAL, agencies["housing"].permission_group, referrals["FEN-2026-0004"]
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

    # Break glass: the primary school's lead opened a police referral about a pupil's sibling.
    owen = people["owen.price"]
    if not BreakGlassAccess.objects.filter(user=owen, referral=referrals["FEN-2026-0004"]).exists():
        BreakGlassAccess.objects.create(
            user=owen,
            referral=referrals["FEN-2026-0004"],
            reason="Zara's younger brother attends Alderbrook; he arrived distressed this morning.",
            opened_at=now - timedelta(hours=1),
            expires_at=now - timedelta(hours=1) + policy.break_glass_duration(),
        )
    # A worker given one case individually through django-guardian.
    assign_perm(policy.VIEW_REFERRAL, people["lewis.tran"], referrals["FEN-2026-0007"])
    return {"children": children, "referrals": referrals, "panels": panels}


def _share(referral, agency, by, reason):
    share = ReferralShare.objects.filter(referral=referral, agency=agency).first()
    if share is None:
        share = ReferralShare.objects.create(
            referral=referral, agency=agency, reason=reason, shared_by=by
        )
        assign_perm(policy.VIEW_REFERRAL, agency.permission_group, referral)
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
