"""The triple lock: independent review of live cases, feedback, response, changes, themes and
learning actions."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied

from casework import selectors, services
from casework.models import CaseReview, Grade, LearningAction, RequiredAction, ReviewStatus, Theme
from notifications.models import Notification
from referrals.clocks import is_working_day, working_days_between


@pytest.fixture
def allocated(borough, allocate):
    """Cases 1-3 with team North (worker_n1), cases 4-5 with team South (worker_s1)."""
    for case in borough.cases[:3]:
        allocate(case, "worker_n1")
    for case in borough.cases[3:]:
        allocate(case, "worker_s1", manager="manager_south", team=borough.south)
    return borough


def _grade(borough, review, grade=Grade.GOOD, themes=("Voice of the child",), **kw):
    return services.review_grade(
        actor=kw.get("actor", review.reviewer),
        review=review,
        decision_appropriate=True,
        decision_timely=True,
        voice_of_child_recorded=False,
        information_shared=True,
        risk_assessed=True,
        grade=grade,
        feedback="The child's own words are missing from the plan.",
        themes=list(themes),
    )


def test_a_sample_draws_live_allocated_cases_at_random(allocated):
    sample = services.review_sample_draw(actor=allocated.people["auditor"], size=3, criteria={})

    reviews = list(sample.reviews.all())
    assert len(reviews) == 3
    assert all(r.status == ReviewStatus.DRAWN and r.worker_id for r in reviews)


def test_a_sample_never_draws_a_case_of_the_reviewers_own_team(allocated):
    sample = services.review_sample_draw(
        actor=allocated.people["auditor_north"], size=10, criteria={}
    )

    assert {r.team_id for r in sample.reviews.all()} == {allocated.south.pk}


def test_a_sample_filtered_to_a_team_and_to_red_cases(allocated):
    sample = services.review_sample_draw(
        actor=allocated.people["auditor"],
        size=10,
        criteria={"team": allocated.north.pk, "red": True},
    )

    # Cases 1 and 3 are red (odd numbers) and with team North.
    assert sorted(r.referral.reference for r in sample.reviews.all()) == ["CW-0001", "CW-0003"]


def test_a_reviewer_is_refused_a_case_of_their_own_team(allocated, client):
    case = allocated.cases[0]  # team North
    with pytest.raises(PermissionDenied):
        services.review_start(actor=allocated.people["auditor_north"], referral=case)

    client.force_login(allocated.people["auditor_north"])
    response = client.post(f"/casework/cases/{case.pk}/review/")

    assert response.status_code == 403
    assert not CaseReview.objects.exists()


def test_a_manager_reviewing_independently_is_refused_their_own_team(allocated):
    with pytest.raises(PermissionDenied):
        services.review_start(actor=allocated.people["manager_north"], referral=allocated.cases[0])
    # The case of another team is theirs to review.
    review = services.review_start(
        actor=allocated.people["manager_north"], referral=allocated.cases[3]
    )
    assert review.team == allocated.south


def test_feedback_reaches_the_worker_and_their_manager_at_once(
    allocated, django_capture_on_commit_callbacks
):
    review = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[0])

    with django_capture_on_commit_callbacks(execute=True):
        _grade(allocated, review)

    told = set(
        Notification.objects.filter(kind="case_review_feedback").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"worker_n1", "manager_north"}
    review.refresh_from_db()
    assert review.status == ReviewStatus.FEEDBACK_GIVEN and review.voice_of_child_recorded is False
    assert [t.name for t in review.themes.all()] == ["Voice of the child"]


def test_inadequate_starts_a_required_action_due_in_ten_working_days(allocated):
    review = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[0])

    _grade(allocated, review, grade=Grade.INADEQUATE)

    required = RequiredAction.objects.get(review=review)
    today = date.today()
    assert working_days_between(today, required.due_date) == 10
    assert is_working_day(required.due_date)


def test_the_worker_responds_and_the_manager_records_what_changes(allocated, client):
    review = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[0])
    _grade(allocated, review, grade=Grade.INADEQUATE)
    client.force_login(allocated.people["worker_n1"])

    client.post(f"/casework/reviews/{review.pk}/", {"step": "respond", "response": "Agreed."})
    client.force_login(allocated.people["manager_north"])
    client.post(
        f"/casework/reviews/{review.pk}/",
        {"step": "record_changes", "changes": "Direct work session booked."},
    )

    review.refresh_from_db()
    assert review.worker_response == "Agreed."
    assert review.status == ReviewStatus.CHANGES_RECORDED
    assert review.changes_recorded_by == allocated.people["manager_north"]
    assert RequiredAction.objects.get(review=review).status == "done"


def test_the_worker_may_not_grade_and_a_stranger_does_not_see_the_review(allocated, client):
    review = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[0])
    client.force_login(allocated.people["worker_n1"])

    assert client.post(f"/casework/reviews/{review.pk}/", {"step": "grade"}).status_code == 403
    client.force_login(allocated.people["worker_s1"])
    assert client.get(f"/casework/reviews/{review.pk}/").status_code == 404


def test_grading_is_refused_once_the_reviewer_joins_the_cases_team(allocated):
    from agencies.models import Membership

    auditor = allocated.people["auditor_north"]
    review = services.review_start(actor=auditor, referral=allocated.cases[3])  # team South
    Membership.objects.filter(user=auditor).update(team=allocated.south)

    with pytest.raises(PermissionDenied):
        _grade(allocated, review)
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAWN


def test_the_auditor_sees_grades_and_themes_over_time_and_benchmarks(allocated, client):
    north = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[0])
    south = services.review_start(actor=allocated.people["auditor"], referral=allocated.cases[3])
    _grade(allocated, north, grade=Grade.INADEQUATE, themes=("Drift", "Voice of the child"))
    _grade(allocated, south, grade=Grade.GOOD)

    teams = {b.name: b for b in selectors.benchmark(CaseReview.objects.all(), by="team")}
    assert teams["Team South"].good_or_better == 100
    assert teams["Team North"].grades[Grade.INADEQUATE] == 1
    assert selectors.theme_totals(CaseReview.objects.all()) == [
        ("Voice of the child", 2),
        ("Drift", 1),
    ]
    client.force_login(allocated.people["auditor"])
    page = client.get("/casework/quality/").content.decode()
    assert "Teams benchmarked" in page and "Team South" in page
    csv = client.get("/casework/quality/themes.csv").content.decode()
    assert "Drift" in csv


def test_the_quality_overview_and_its_csv_are_refused_to_others(allocated, client):
    client.force_login(allocated.people["manager_north"])

    assert client.get("/casework/quality/").status_code == 403
    assert client.get("/casework/quality/grades.csv").status_code == 403


def test_a_theme_becomes_a_learning_action_its_owner_completes(
    allocated, client, django_capture_on_commit_callbacks
):
    theme = Theme.objects.create(name="Voice of the child")
    client.force_login(allocated.people["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/casework/learning/new/",
            {
                "theme": theme.pk,
                "kind": "briefing",
                "text": "Seven-minute briefing on recording the child's words.",
                "owner": allocated.people["manager_north"].pk,
                **due_in(30),
            },
        )
    action = LearningAction.objects.get()
    assert Notification.objects.filter(
        recipient=allocated.people["manager_north"], kind="learning_action"
    ).exists()

    client.force_login(allocated.people["manager_north"])
    assert client.get("/casework/learning/").status_code == 200
    client.post(f"/casework/learning/{action.pk}/done/", {"note": "Delivered to both teams."})
    action.refresh_from_db()
    assert action.status == "done"
    client.force_login(allocated.people["worker_s1"])
    assert client.get("/casework/learning/").status_code == 403
    assert client.post(f"/casework/learning/{action.pk}/done/", {"note": "x"}).status_code == 404


def due_in(days: int) -> dict:
    """A GOV.UK date input's three boxes, `days` from today."""
    due = date.today() + timedelta(days=days)
    return {"due_date_0": due.day, "due_date_1": due.month, "due_date_2": due.year}
