"""Issue 17: the board's dashboard asks the same number of queries at both sizes. The
hand-made quarter is the small size; the large one adds more of every record a figure reads
(referrals of another agency, a second team with its workers and target, allocations and a
reallocation, a meeting with its agenda, actions done late and open, contribution requests,
reviews with grades and a new theme). A count, never a time (timings are in
benchmarks/board_dashboard.py)."""

from datetime import date, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import AgencyType, Role, Team
from casework.models import Allocation, AllocationEnd, CaseloadTarget, CaseReview, Grade, Theme
from panels.models import Action, ActionStatus, ActionUpdate, AgendaItem, Meeting, MeetingStatus
from referrals.models import Child, ContributionRequest, Referral, ReferralState
from tests.board.conftest import at
from tests.factories import AgencyFactory, MembershipFactory, UserFactory


def _grow(quarter, n: int) -> None:
    """n more of each kind of record, in a new agency and a new team."""
    people = quarter.people
    health = AgencyFactory(name=f"Health {n}", agency_type=AgencyType.HEALTH)
    quarter.panel.member_agencies.add(health)
    team = Team.objects.create(agency=quarter.csc, name=f"Team West {n}")
    CaseloadTarget.objects.create(team=team, per_worker=3)
    workers = []
    for i in range(3):
        worker = UserFactory(username=f"west{n}_{i}", first_name="West", last_name="Worker")
        MembershipFactory(user=worker, agency=quarter.csc, role=Role.REFERRER, team=team)
        workers.append(worker)
    theme = Theme.objects.create(name=f"Drift again {n}")
    meeting = Meeting.objects.create(
        panel=quarter.panel, starts_at=at(2025, 8, 14, 10), status=MeetingStatus.CLOSED
    )
    for i in range(n):
        child = Child.objects.create(first_name="Grown", last_name=f"Child{i}")
        referral = Referral.objects.create(
            reference=f"GROW-{n}-{i}",
            child=child,
            agency=health if i % 2 else quarter.school,
            referrer=people["referrer"],
            hub=quarter.panel,
            state=ReferralState.LISTED_FOR_PANEL,
            categories=["cse", "neglect"][: 1 + i % 2],
            submitted_at=at(2025, 7 + i % 3, 1 + i % 27, 10),
            decided_at=at(2025, 7 + i % 3, 2 + i % 27, 10),
            decision_due_at=at(2025, 7 + i % 3, 2 + i % 27, 17),
        )
        worker = workers[i % len(workers)]
        allocation = Allocation.objects.create(
            referral=referral,
            team=team,
            worker=worker,
            allocated_by=people["manager"],
            allocated_at=at(2025, 8, 1, 10),
            reason="Grown.",
        )
        if i % 4 == 0:
            allocation.ended_at = at(2025, 8, 20, 10)
            allocation.ended_by = people["manager"]
            allocation.end_kind = AllocationEnd.REALLOCATED
            allocation.end_reason = "Over."
            allocation.save()
            allocation = Allocation.objects.create(
                referral=referral,
                team=team,
                worker=workers[(i + 1) % len(workers)],
                allocated_by=people["manager"],
                allocated_at=at(2025, 8, 20, 10),
                reason="Grown.",
            )
        item = AgendaItem.objects.create(meeting=meeting, referral=referral, position=i + 1)
        action = Action.objects.create(
            meeting=meeting,
            agenda_item=item,
            text="Do it.",
            owner_agency=health if i % 2 else quarter.police,
            due_date=date(2025, 8, 20) + timedelta(days=i % 20),
            status=ActionStatus.DONE if i % 3 == 0 else ActionStatus.OPEN,
            created_by=people["coordinator"],
            created_at=at(2025, 8, 14, 12),
        )
        if i % 3 == 0:
            ActionUpdate.objects.create(
                action=action,
                from_status=ActionStatus.OPEN,
                to_status=ActionStatus.DONE,
                by=people["coordinator"],
                at=at(2025, 9, 10, 12),
            )
        ContributionRequest.objects.create(
            referral=referral,
            agency=health,
            requested_by=people["coordinator"],
            requested_at=at(2025, 9, 20, 10),
        )
        review = CaseReview.objects.create(
            referral=referral,
            allocation=allocation,
            team=team,
            worker=allocation.worker,
            reviewer=people["auditor"],
            status="feedback_given",
            grade=[Grade.GOOD, Grade.REQUIRES_IMPROVEMENT, Grade.INADEQUATE][i % 3],
            graded_at=at(2025, 9, 1 + i % 28, 12),
            feedback="Feedback.",
        )
        review.themes.set([theme])


def _queries_of_dashboard(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/board/dashboard/", {"period": "2025-Q3"})
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_the_dashboard_asks_as_many_queries_at_both_sizes(quarter, client):
    client.force_login(quarter.people["board"])
    client.get("/board/dashboard/", {"period": "2025-Q3"})  # the first reading's audit row

    small, before = _queries_of_dashboard(client)
    _grow(quarter, 24)
    large, after = _queries_of_dashboard(client)

    assert "Team West 24" not in before and "Team West 24" in after  # the growth is counted
    assert large == small


def test_an_agency_leads_dashboard_asks_as_many_queries_at_both_sizes(quarter, client):
    client.force_login(quarter.people["manager"])  # leads the council: figures of their agency
    client.get("/board/dashboard/", {"period": "2025-Q3"})

    small, before = _queries_of_dashboard(client)
    _grow(quarter, 24)
    large, after = _queries_of_dashboard(client)

    assert "Team West 24" not in before and "Team West 24" in after  # the growth is counted
    assert large == small
