"""Allocation of live cases by the team's manager, with history, and caseloads against target."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

import access
from agencies.models import AuditEvent
from casework import selectors, services
from casework.models import Allocation, AllocationEnd, CaseloadTarget
from notifications.models import Notification
from referrals.models import ReferralState
from tests.casework.conftest import make_case


def test_manager_allocates_a_live_case_to_a_worker_of_their_team(borough, allocate):
    case = borough.cases[0]

    allocation = allocate(case, "worker_n1")

    assert allocation.team == borough.north and allocation.is_live
    assert AuditEvent.objects.filter(object_type="casework.allocation", referral=case).exists()
    assert Notification.objects.filter(
        recipient=borough.people["worker_n1"], referral=case
    ).exists()


def test_the_allocated_worker_may_read_the_case(borough, allocate):
    police_case = make_case(90, borough.police, borough.people["police_referrer"])
    from guardian.shortcuts import assign_perm

    # Shared with children's services, so its manager may read and allocate it.
    assign_perm(access.VIEW_REFERRAL, borough.csc.permission_group, police_case)
    assert not access.can_view_referral(borough.people["worker_s1"], police_case)

    allocate(police_case, "worker_s1", manager="manager_south", team=borough.south)

    assert access.can_view_referral(borough.people["worker_s1"], police_case)


def test_reallocation_ends_the_first_allocation_and_keeps_it(borough, allocate):
    case = borough.cases[0]
    first = allocate(case, "worker_n1")

    allocate(case, "worker_n2")

    first.refresh_from_db()
    assert first.end_kind == AllocationEnd.REALLOCATED and first.ended_at is not None
    assert first.ended_by == borough.people["manager_north"]
    assert [a.worker.username for a in selectors.allocation_history(case)] == [
        "worker_n1",
        "worker_n2",
    ]


def test_closing_an_allocation_keeps_who_when_and_why(borough, allocate):
    case = borough.cases[0]
    allocate(case, "worker_n1")

    ended = services.allocation_close(
        actor=borough.people["manager_north"], referral=case, reason="Work finished."
    )

    assert ended.end_kind == AllocationEnd.CLOSED and ended.end_reason == "Work finished."
    assert Allocation.objects.filter(referral=case).count() == 1


def test_manager_of_another_team_cannot_reallocate_the_case(borough, allocate, client):
    case = borough.cases[0]
    allocate(case, "worker_n1")
    client.force_login(borough.people["manager_south"])

    response = client.get(f"/casework/cases/{case.pk}/allocate/")

    assert response.status_code == 403


def test_a_worker_may_not_allocate(borough, client):
    client.force_login(borough.people["worker_n1"])

    assert client.get(f"/casework/cases/{borough.cases[0].pk}/allocate/").status_code == 403


def test_a_case_that_is_not_live_cannot_be_allocated(borough):
    screened = make_case(80, borough.csc, borough.people["worker_n1"], state=ReferralState.SCREENED)

    with pytest.raises(PermissionDenied):
        services.allocation_allocate(
            actor=borough.people["manager_north"],
            referral=screened,
            team=borough.north,
            worker=borough.people["worker_n1"],
            reason="Try.",
        )


def test_allocation_to_someone_outside_the_team_is_refused(borough):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.allocation_allocate(
            actor=borough.people["manager_north"],
            referral=borough.cases[0],
            team=borough.north,
            worker=borough.people["worker_s1"],
            reason="Wrong team.",
        )


def test_caseloads_count_live_cases_per_worker_against_the_team_target(borough, allocate):
    CaseloadTarget.objects.create(team=borough.north, per_worker=2)
    for case in borough.cases[:3]:
        allocate(case, "worker_n1")
    allocate(borough.cases[3], "worker_n2")

    (north,) = selectors.caseloads(access.teams_managed_by(borough.people["manager_north"]))

    by_name = {w.name: w for w in north.workers}
    assert north.target == 2 and north.cases == 4 and north.average == 2.0
    assert by_name["Worker_N1 Test"].cases == 3 and by_name["Worker_N1 Test"].over == 1
    assert by_name["Worker_N1 Test"].state == "over"
    assert by_name["Worker_N2 Test"].state == "within"
    assert north.over_target == 1


def test_a_team_without_a_target_has_the_default_of_18(borough):
    (south,) = selectors.caseloads(access.teams_managed_by(borough.people["manager_south"]))

    assert south.target == 18


def test_unallocated_live_cases_are_listed_oldest_first_with_their_age(borough, allocate):
    allocate(borough.cases[0], "worker_n1")
    old = make_case(70, borough.csc, borough.people["worker_n1"], days_ago=30)

    cases = selectors.unallocated_cases(
        access.allocatable_referrals(borough.people["manager_north"]),
        today=date.today(),
    )

    assert cases[0].referral_id == old.pk
    assert cases[0].age_working_days >= 20
    assert borough.cases[0].pk not in {c.referral_id for c in cases}


def test_caseload_page_shows_my_team_and_unallocated_cases(borough, allocate, client):
    allocate(borough.cases[0], "worker_n1")
    client.force_login(borough.people["manager_north"])

    page = client.get("/casework/caseloads/").content.decode()

    assert "Team North" in page and "Worker_N1 Test" in page
    assert "Allocate CW-0002" in page and "Allocate CW-0001" not in page


def test_caseload_page_and_csv_are_refused_to_a_worker(borough, client):
    client.force_login(borough.people["worker_n1"])

    assert client.get("/casework/caseloads/").status_code == 403
    assert client.get("/casework/caseloads.csv").status_code == 403


def test_caseload_csv_is_audited_and_formula_safe(borough, allocate, client):
    allocate(borough.cases[0], "worker_n1")
    borough.north.name = "=HYPERLINK(1)"
    borough.north.save()
    client.force_login(borough.people["manager_north"])

    response = client.get("/casework/caseloads.csv")

    assert response.status_code == 200
    assert "'=HYPERLINK(1)" in response.content.decode()
    assert AuditEvent.objects.filter(
        action="exported_csv", actor=borough.people["manager_north"]
    ).exists()


def test_manager_sets_the_team_target_and_others_are_refused(borough, client):
    client.force_login(borough.people["manager_south"])

    assert (
        client.post(f"/casework/teams/{borough.north.pk}/target/", {"per_worker": 5}).status_code
        == 404
    )
    client.force_login(borough.people["manager_north"])
    client.post(f"/casework/teams/{borough.north.pk}/target/", {"per_worker": 5})

    assert CaseloadTarget.objects.get(team=borough.north).per_worker == 5


def test_allocation_history_reads_who_when_and_why_on_the_page(borough, allocate, client):
    allocate(borough.cases[0], "worker_n1")
    allocate(borough.cases[0], "worker_n2")
    client.force_login(borough.people["manager_north"])

    page = client.get(f"/casework/cases/{borough.cases[0].pk}/allocate/").content.decode()

    assert "Reallocated" in page and "Capacity in the team." in page
