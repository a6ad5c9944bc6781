"""A hand-made quarter (July to September 2025) for the board's figures; the right answers
are written in the tests. Times are Europe/London wall-clock time."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from agencies.models import AgencyType, Role, Team
from casework.models import Allocation, AllocationEnd, CaseloadTarget, CaseReview, Grade, Theme
from panels.models import (
    Action,
    ActionStatus,
    ActionUpdate,
    AgendaItem,
    Meeting,
    MeetingStatus,
    Panel,
    PanelKind,
    PanelOversight,
)
from referrals.models import Child, ContributionRequest, Referral, ReferralState
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
TODAY = date(2025, 10, 1)

# Distinctive strings no board page or export may carry.
SECRETS = [
    "Zephyrine",
    "Quillfeather",
    "2012-03-04",
    "4 Mar 2012",
    "04/03/2012",
    "17 Marlpit Lane",
    "Hollowmere Academy",
    "BRD-",
]


def at(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@dataclass
class Quarter:
    panel: Panel
    police: object
    school: object
    csc: object
    people: dict
    referrals: dict


@pytest.fixture
def quarter(db) -> Quarter:
    police = AgencyFactory(name="Police", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    csc = AgencyFactory(name="Children's Services", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    team = Team.objects.create(agency=csc, name="Team East")
    CaseloadTarget.objects.create(team=team, per_worker=2)

    def person(role, agency, name, team=None):
        user = UserFactory(username=name, first_name=name.title(), last_name="Person")
        MembershipFactory(user=user, agency=agency, role=role, team=team)
        return user

    people = {
        "board": person(Role.BOARD_MEMBER, csc, "board"),
        "lead_police": person(Role.AGENCY_LEAD, police, "lead_police"),
        "coordinator": person(Role.PANEL_COORDINATOR, csc, "coordinator"),
        "referrer": person(Role.REFERRER, police, "referrer"),
        "w1": person(Role.REFERRER, csc, "w1", team),
        "w2": person(Role.REFERRER, csc, "w2", team),
        "manager": person(Role.AGENCY_LEAD, csc, "manager", team),
        "auditor": person(Role.QUALITY_AUDITOR, csc, "auditor"),
    }
    panel = Panel.objects.create(name="Fenmarsh MASH", kind=PanelKind.MASH)
    PanelOversight.objects.create(panel=panel, user=people["board"])

    def child(first, last="Quillfeather", **extra):
        return Child.objects.create(
            first_name=first,
            last_name=last,
            date_of_birth=date(2012, 3, 4),
            address="17 Marlpit Lane, Fenmarsh",
            school="Hollowmere Academy",
            **extra,
        )

    a, b, c, d, e = (child(f"Zephyrine{n}") for n in "ABCDE")

    def referral(ref, kid, agency, submitted, *, decided=None, due=None, state, cats=()):
        return Referral.objects.create(
            reference=f"BRD-{ref}",
            child=kid,
            agency=agency,
            referrer=people["referrer"],
            hub=panel,
            state=state,
            categories=list(cats),
            submitted_at=submitted,
            decided_at=decided,
            decision_due_at=due,
        )

    r = {
        # Child A: 11 months before r1, so r1 is a repeat. Child C: 13 months before r3: not.
        "r0": referral("0", a, police, at(2024, 9, 30, 10), state=ReferralState.CLOSED),
        "r00": referral("00", c, police, at(2024, 8, 10, 10), state=ReferralState.CLOSED),
        # Friday before the August bank holiday (Monday 25 August 2025): due Tuesday 17:00.
        "r1": referral(
            "1",
            a,
            police,
            at(2025, 8, 22, 10),
            decided=at(2025, 8, 26, 16),
            due=at(2025, 8, 26, 17),
            state=ReferralState.LISTED_FOR_PANEL,
            cats=["cse"],
        ),
        "r2": referral(
            "2",
            b,
            school,
            at(2025, 7, 2, 9),
            decided=at(2025, 7, 3, 13),
            due=at(2025, 7, 3, 17),
            state=ReferralState.LISTED_FOR_PANEL,
            cats=["neglect", "online"],
        ),
        # Decided a day late.
        "r3": referral(
            "3",
            c,
            school,
            at(2025, 9, 15, 10),
            decided=at(2025, 9, 17, 10),
            due=at(2025, 9, 16, 17),
            state=ReferralState.ESCALATED,
            cats=["neglect"],
        ),
        # Before the quarter: live cases for caseloads only.
        "r4": referral(
            "4",
            d,
            police,
            at(2025, 6, 2, 10),
            decided=at(2025, 6, 2, 15),
            state=ReferralState.LISTED_FOR_PANEL,
        ),
        "r5": referral(
            "5",
            e,
            police,
            at(2025, 6, 2, 11),
            decided=at(2025, 6, 2, 16),
            state=ReferralState.LISTED_FOR_PANEL,
        ),
    }

    # Caseloads now: w1 has r1, r2 and r3 (r3 reallocated from w2 mid-September); w2 has r4;
    # r5 is unallocated.
    def allocate(ref, worker, when, **end):
        return Allocation.objects.create(
            referral=r[ref],
            team=team,
            worker=people[worker],
            allocated_by=people["manager"],
            allocated_at=when,
            reason="Demo.",
            **end,
        )

    allocate("r1", "w1", at(2025, 8, 27, 10))
    allocate("r2", "w1", at(2025, 7, 4, 10))
    allocate(
        "r3",
        "w2",
        at(2025, 9, 1, 10),
        ended_at=at(2025, 9, 15, 10),
        ended_by=people["manager"],
        end_kind=AllocationEnd.REALLOCATED,
        end_reason="Over.",
    )
    allocate("r3", "w1", at(2025, 9, 15, 10))
    allocate("r4", "w2", at(2025, 6, 3, 10))

    # Meetings: 10 July (A and B discussed), 28 August (A), 20 September (scheduled only).
    m1 = Meeting.objects.create(
        panel=panel, starts_at=at(2025, 7, 10, 10), status=MeetingStatus.CLOSED
    )
    m2 = Meeting.objects.create(
        panel=panel, starts_at=at(2025, 8, 28, 10), status=MeetingStatus.CLOSED
    )
    m3 = Meeting.objects.create(panel=panel, starts_at=at(2025, 9, 20, 10))
    i_b = AgendaItem.objects.create(meeting=m1, referral=r["r2"], position=1)
    AgendaItem.objects.create(meeting=m1, referral=r["r0"], position=2)
    i_a = AgendaItem.objects.create(meeting=m2, referral=r["r1"], position=1)
    AgendaItem.objects.create(meeting=m3, referral=r["r3"], position=1)

    def action(item, agency, created, due, status=ActionStatus.OPEN, done=None):
        act = Action.objects.create(
            meeting=item.meeting,
            agenda_item=item,
            text="Do it.",
            owner_agency=agency,
            due_date=due,
            status=status,
            created_by=people["coordinator"],
            created_at=created,
        )
        if done:
            ActionUpdate.objects.create(
                action=act,
                from_status=ActionStatus.OPEN,
                to_status=ActionStatus.DONE,
                by=people["coordinator"],
                at=done,
            )
        return act

    action(
        i_b, police, at(2025, 7, 10, 12), date(2025, 7, 24), ActionStatus.DONE, at(2025, 7, 30, 12)
    )
    action(
        i_b, school, at(2025, 7, 10, 12), date(2025, 7, 20), ActionStatus.DONE, at(2025, 7, 18, 12)
    )
    action(i_a, school, at(2025, 8, 28, 12), date(2025, 9, 26))
    action(i_a, police, at(2025, 8, 28, 12), date(2025, 9, 5), ActionStatus.CANCELLED)

    ContributionRequest.objects.create(
        referral=r["r2"],
        agency=school,
        requested_by=people["coordinator"],
        requested_at=at(2025, 9, 25, 10),
    )

    voice = Theme.objects.create(name="Voice of the child")
    drift = Theme.objects.create(name="Drift")
    live_r1 = Allocation.objects.get(referral=r["r1"], ended_at__isnull=True)
    for grade, graded, themes in (
        (Grade.GOOD, at(2025, 9, 10, 12), [voice]),
        (Grade.INADEQUATE, at(2025, 8, 12, 12), [voice, drift]),
    ):
        review = CaseReview.objects.create(
            referral=r["r1"],
            allocation=live_r1,
            team=team,
            worker=people["w1"],
            reviewer=people["auditor"],
            status="feedback_given",
            grade=grade,
            graded_at=graded,
            feedback="Feedback.",
        )
        review.themes.set(themes)
    return Quarter(panel, police, school, csc, people, r)


@pytest.fixture
def coordinator_p(quarter):
    """The panel's coordinator, through a live seat on it: makes and reads its reports."""
    from panels.models import PanelMembership, PanelRole

    user = UserFactory(username="coordinator_p", first_name="Cora", last_name="Seat")
    MembershipFactory(user=user, agency=quarter.csc, role=Role.PANEL_COORDINATOR)
    PanelMembership.objects.create(
        panel=quarter.panel, user=user, agency=quarter.csc, role=PanelRole.COORDINATOR
    )
    quarter.people["coordinator_p"] = user
    return user


# The access matrix's world (one person in every position), for the rows of the reports'
# doors in test_report_access.py.
from tests.agencies.conftest import world  # noqa: E402, F401
