"""Insiders with a valid login try casework's doors (casework/urls.py): allocation,
caseloads and their CSV, reallocation, independent review of live cases, the quality overview
and its CSVs, and learning actions. Each refusal is checked against the same door opened by
the person who has the right, so a door left open would fail the test.

In the small borough of tests/casework: children's social care has teams North and South,
each with a manager (an agency lead naming the team) and workers; one quality auditor sits in
team North. Cases 1-3 are with North (worker_n1), cases 4-5 with South (worker_s1)."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from agencies.models import AuditAction, AuditEvent, Role
from casework import services
from casework.models import Allocation, CaseReview, LearningAction, ReviewStatus
from tests.casework.conftest import allocate, borough  # noqa: F401 - the fixtures
from tests.factories import person

__all__ = ["allocate", "borough"]

FEEDBACK_NORTH = "Quillon-North feedback: no words of the child in the plan."
FEEDBACK_SOUTH = "Marrowby-South feedback: no visit for six weeks."


@pytest.fixture
def cases(borough, allocate):
    for case in borough.cases[:3]:
        allocate(case, "worker_n1")
    for case in borough.cases[3:]:
        allocate(case, "worker_s1", manager="manager_south", team=borough.south)
    return borough


def _graded(borough, case, feedback):
    review = services.review_start(actor=borough.people["auditor"], referral=case)
    return services.review_grade(
        actor=borough.people["auditor"],
        review=review,
        decision_appropriate=True,
        decision_timely=True,
        voice_of_child_recorded=False,
        information_shared=True,
        risk_assessed=True,
        grade="requires_improvement",
        feedback=feedback,
        themes=["Voice of the child"],
    )


@pytest.fixture
def reviews(cases):
    """A graded review of a North case (worker_n1) and one of a South case (worker_s1)."""
    return {
        "north": _graded(cases, cases.cases[0], FEEDBACK_NORTH),
        "south": _graded(cases, cases.cases[3], FEEDBACK_SOUTH),
    }


@pytest.fixture
def others(borough):
    """The roles the casework borough lacks, all in children's social care: none manages a
    team, reviews, or owns a learning action."""
    return {
        role: person(role, borough.csc, username=f"csc_{role}")
        for role in (
            Role.PANEL_COORDINATOR,
            Role.PANEL_CHAIR,
            Role.PANEL_MEMBER,
            Role.DATA_PROTECTION_OFFICER,
        )
    }


# --- Independent review: never a case of one's own team ------------------------------------


@pytest.mark.parametrize("reviewer", ["manager_north", "auditor_north"])
def test_a_reviewer_is_refused_a_case_of_their_own_team_on_the_page_and_in_a_sample(
    client, cases, reviewer
):
    client.force_login(cases.people[reviewer])
    north_case, south_case = cases.cases[0], cases.cases[3]

    own = client.post(f"/casework/cases/{north_case.pk}/review/")
    sampled = client.post("/casework/reviews/sample/", {"size": "10", "team": cases.north.pk})
    other = client.post(f"/casework/cases/{south_case.pk}/review/")

    assert own.status_code == 403
    assert sampled.status_code == 302
    assert not CaseReview.objects.filter(referral__in=cases.cases[:3]).exists()
    # The same door, the same person, a case of another team: open.
    assert other.status_code == 302
    assert CaseReview.objects.filter(referral=south_case, reviewer=cases.people[reviewer]).exists()


def test_a_reviewer_who_drew_a_case_cannot_grade_it_once_they_join_its_team(client, cases):
    auditor = cases.people["auditor"]
    review = services.review_start(actor=auditor, referral=cases.cases[0])
    auditor.memberships.update(team=cases.north)
    client.force_login(auditor)

    response = client.post(
        f"/casework/reviews/{review.pk}/",
        {"step": "grade", "grade": "good", "feedback": "Fine.", "themes": ""},
    )

    assert response.status_code == 403
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAWN and review.feedback == ""


# --- The worker sees feedback on their own case only ----------------------------------------


def test_a_worker_sees_the_feedback_on_their_own_case_only(client, reviews):
    client.force_login(reviews["north"].worker)

    own = client.get(f"/casework/reviews/{reviews['north'].pk}/")
    other = client.get(f"/casework/reviews/{reviews['south'].pk}/")
    listed = client.get("/casework/reviews/")

    assert own.status_code == 200 and FEEDBACK_NORTH in own.content.decode()
    assert other.status_code == 404
    assert FEEDBACK_SOUTH not in (other.content + listed.content).decode()
    assert f"/casework/reviews/{reviews['north'].pk}/" in listed.content.decode()
    assert f"/casework/reviews/{reviews['south'].pk}/" not in listed.content.decode()


@pytest.mark.parametrize(
    "who", ["worker_n2", "worker_s1", "manager_south", "police_referrer", "board"]
)
def test_a_colleague_another_teams_manager_or_another_agency_do_not_see_the_feedback(
    client, reviews, who
):
    client.force_login(reviews["north"].worker)
    assert client.get(f"/casework/reviews/{reviews['north'].pk}/").status_code == 200
    client.force_login(get_user_model().objects.get(username=who))
    page = client.get(f"/casework/reviews/{reviews['north'].pk}/")
    answer = client.post(
        f"/casework/reviews/{reviews['north'].pk}/", {"step": "respond", "response": "Mine."}
    )
    changes = client.post(
        f"/casework/reviews/{reviews['north'].pk}/",
        {"step": "record_changes", "changes": "Moved."},
    )

    assert (page.status_code, answer.status_code, changes.status_code) == (404, 404, 404)
    assert FEEDBACK_NORTH not in client.get("/casework/reviews/").content.decode()
    review = CaseReview.objects.get(pk=reviews["north"].pk)
    assert review.worker_response == "" and review.manager_changes == ""


def test_the_worker_answers_their_feedback_but_neither_grades_it_nor_records_changes(
    client, reviews
):
    review = reviews["north"]
    client.force_login(review.worker)

    regrade = client.post(
        f"/casework/reviews/{review.pk}/",
        {"step": "grade", "grade": "outstanding", "feedback": "Self-assessed."},
    )
    changes = client.post(
        f"/casework/reviews/{review.pk}/", {"step": "record_changes", "changes": "None."}
    )
    answer = client.post(
        f"/casework/reviews/{review.pk}/", {"step": "respond", "response": "Visit booked."}
    )

    assert regrade.status_code == 403 and changes.status_code == 403
    assert answer.status_code == 302
    review.refresh_from_db()
    assert review.grade == "requires_improvement" and review.manager_changes == ""
    assert review.worker_response == "Visit booked."


# --- Caseloads and allocation ---------------------------------------------------------------


def test_a_manager_sees_the_caseloads_of_their_own_team_only_on_the_page_and_in_the_csv(
    client, cases
):
    client.force_login(cases.people["manager_south"])

    page = client.get("/casework/caseloads/").content.decode()
    export = client.get("/casework/caseloads.csv").content.decode()

    assert "Worker_S1" in page and "Worker_S1" in export
    for name in ("Worker_N1", "Worker_N2", "Team North"):
        assert name not in page and name not in export


@pytest.mark.parametrize("who", ["worker_n1", "auditor", "board", "police_referrer"])
def test_someone_who_manages_no_team_is_refused_the_caseloads_page_and_csv(client, cases, who):
    client.force_login(cases.people[who])

    assert client.get("/casework/caseloads/").status_code == 403
    assert client.get("/casework/caseloads.csv").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV).exists()


def test_another_teams_manager_can_neither_reallocate_nor_close_the_case(client, cases):
    case = cases.cases[0]  # team North, worker_n1
    client.force_login(cases.people["manager_south"])

    page = client.get(f"/casework/cases/{case.pk}/allocate/")
    moved = client.post(
        f"/casework/cases/{case.pk}/allocate/",
        {
            "team": cases.south.pk,
            "worker": cases.people["worker_s1"].pk,
            "reason": "Taking it over.",
        },
    )
    closed = client.post(
        f"/casework/cases/{case.pk}/allocate/", {"step": "close", "reason": "Closing it."}
    )
    target = client.post(f"/casework/teams/{cases.north.pk}/target/", {"per_worker": "1"})

    assert (page.status_code, moved.status_code, closed.status_code) == (403, 403, 403)
    assert target.status_code == 404
    live = Allocation.objects.get(referral=case, ended_at__isnull=True)
    assert live.worker == cases.people["worker_n1"] and live.team == cases.north
    # The case's own manager opens the same door.
    client.force_login(cases.people["manager_north"])
    assert client.get(f"/casework/cases/{case.pk}/allocate/").status_code == 200


def test_a_manager_cannot_allocate_to_a_worker_of_a_team_they_do_not_manage(client, borough):
    case = borough.cases[0]
    client.force_login(borough.people["manager_north"])

    response = client.post(
        f"/casework/cases/{case.pk}/allocate/",
        {"team": borough.south.pk, "worker": borough.people["worker_s1"].pk, "reason": "Help."},
    )

    assert response.status_code == 200  # the form again, with its error
    assert not Allocation.objects.filter(referral=case).exists()


@pytest.mark.parametrize("who", ["police_referrer", "board"])
def test_someone_who_may_not_read_the_case_gets_the_same_404_as_for_a_missing_one(
    client, cases, who
):
    client.force_login(cases.people[who])
    case = cases.cases[0]

    hidden = client.get(f"/casework/cases/{case.pk}/allocate/")
    missing = client.get("/casework/cases/999999/allocate/")
    review = client.post(f"/casework/cases/{case.pk}/review/")

    assert hidden.status_code == missing.status_code == 404
    assert review.status_code == 404
    assert case.reference not in hidden.content.decode()


def test_the_worker_of_the_case_may_read_it_but_not_allocate_it(client, cases):
    case = cases.cases[0]
    client.force_login(cases.people["worker_n1"])

    response = client.post(
        f"/casework/cases/{case.pk}/allocate/", {"step": "close", "reason": "Done with it."}
    )

    assert response.status_code == 403
    assert Allocation.objects.filter(referral=case, ended_at__isnull=True).exists()


# --- The quality overview and learning actions -----------------------------------------------


@pytest.fixture
def learning(reviews, django_capture_on_commit_callbacks):
    from casework.models import Theme

    theme = Theme.objects.get(name="Voice of the child")
    with django_capture_on_commit_callbacks(execute=True):
        north = services.learning_action_create(
            actor=reviews["north"].reviewer,
            theme=theme,
            kind="briefing",
            text="Quillon briefing for team North.",
            owner=get_user_model().objects.get(username="manager_north"),
            due_date=date(2030, 1, 1),
        )
        south = services.learning_action_create(
            actor=reviews["north"].reviewer,
            theme=theme,
            kind="practice_standard",
            text="Marrowby standard for team South.",
            owner=get_user_model().objects.get(username="manager_south"),
            due_date=date(2030, 1, 1),
        )
    return {"north": north, "south": south}


def test_a_learning_actions_owner_sees_and_completes_their_own_only(client, learning):
    client.force_login(learning["north"].owner)

    page = client.get("/casework/learning/").content.decode()
    others = client.post(f"/casework/learning/{learning['south'].pk}/done/", {"note": "Done."})
    own = client.post(f"/casework/learning/{learning['north'].pk}/done/", {"note": "Done."})

    assert "Quillon briefing" in page and "Marrowby standard" not in page
    assert others.status_code == 404 and own.status_code == 302
    assert LearningAction.objects.get(pk=learning["south"].pk).status == "open"
    assert LearningAction.objects.get(pk=learning["north"].pk).status == "done"


@pytest.mark.parametrize("who", ["manager_north", "worker_n1", "board", "police_referrer"])
def test_only_a_quality_auditor_reads_the_quality_overview_and_its_csvs(client, learning, who):
    client.force_login(learning["north"].created_by)
    assert client.get("/casework/quality/grades.csv").status_code == 200
    client.force_login(get_user_model().objects.get(username=who))

    page = client.get("/casework/quality/")
    exports = [client.get(f"/casework/quality/{key}.csv") for key in ("grades", "themes", "teams")]
    started = client.post(
        "/casework/learning/new/",
        {
            "theme": learning["north"].theme_id,
            "kind": "briefing",
            "text": "Mine.",
            "owner": learning["north"].owner_id,
            "due_date_0": "1",
            "due_date_1": "1",
            "due_date_2": "2030",
        },
    )

    assert page.status_code == 403
    assert [e.status_code for e in exports] == [403, 403, 403]
    assert started.status_code == 403
    assert LearningAction.objects.count() == 2
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV)
    assert list(exported.values_list("actor__username", flat=True)) == ["auditor"]


def test_someone_with_no_learning_action_and_no_review_is_refused_those_pages(client, cases):
    client.force_login(cases.people["worker_s1"])

    assert client.get("/casework/learning/").status_code == 403
    assert client.get("/casework/reviews/").status_code == 403


# --- Every role without a right in casework --------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [Role.PANEL_COORDINATOR, Role.PANEL_CHAIR, Role.PANEL_MEMBER, Role.DATA_PROTECTION_OFFICER],
)
def test_a_coordinator_chair_panel_member_or_dpo_is_refused_every_casework_door(
    client, reviews, others, role
):
    client.force_login(others[role])
    case, review = reviews["north"].referral, reviews["north"]

    gets = {
        path: client.get(path).status_code
        for path in (
            "/casework/caseloads/",
            "/casework/caseloads.csv",
            "/casework/reviews/",
            "/casework/quality/",
            "/casework/quality/grades.csv",
            "/casework/learning/",
        )
    }
    posts = {
        "review-start": client.post(f"/casework/cases/{case.pk}/review/").status_code,
        "sample": client.post("/casework/reviews/sample/", {"size": "5"}).status_code,
        "target": client.post(
            f"/casework/teams/{review.team_id}/target/", {"per_worker": "1"}
        ).status_code,
    }

    assert set(gets.values()) == {403}, gets
    assert posts["sample"] == 403 and posts["target"] == 404
    assert posts["review-start"] in (403, 404)
    assert client.get(f"/casework/reviews/{review.pk}/").status_code == 404
    assert client.get(f"/casework/cases/{case.pk}/allocate/").status_code in (403, 404)
    assert FEEDBACK_NORTH not in client.get(f"/casework/reviews/{review.pk}/").content.decode()
    assert CaseReview.objects.count() == 2
    assert not AuditEvent.objects.filter(
        actor=others[role], action=AuditAction.EXPORTED_CSV
    ).exists()
