"""The generic question `access.allows(user, action, obj)` knows the newer single-object rules
(missing episodes, subjects of concern, casework, the board's quarterly reports) and answers
each exactly as its `can_*` does: yes for a person the rule allows, no for one it refuses.
An action it does not know is refused to everyone (tests/agencies/test_policy_matrix.py holds
the older rows)."""

from datetime import timedelta

import pytest
from django.utils import timezone

import access
from agencies.models import Role
from board.models import QuarterlyReport
from casework.models import CaseReview, LearningAction, ReviewStatus, Theme
from intelligence import services as intelligence_services
from intelligence.models import SubjectKind
from missing.models import ChildFlag, ReturnInterview
from tests.board.conftest import quarter  # noqa: F401
from tests.casework.conftest import make_case
from tests.factories import person
from tests.missing.conftest import at, report

# (action, the can_* it must agree with, the object's key, allowed person, refused person)
ROWS = [
    ("view_missing_episode", access.can_view_missing_episode, "episode", "officer", "teacher"),
    ("change_missing_episode", access.can_change_missing_episode, "episode", "officer", "board"),
    (
        "record_return_interview",
        access.can_record_return_interview,
        "interview",
        "coordinator",
        "teacher",
    ),
    ("decide_child_flag", access.can_decide_child_flag, "flag", "coordinator", "officer"),
    ("view_subject", access.can_view_subject, "subject", "officer", "teacher"),
    ("change_subject", access.can_change_subject, "subject", "officer", "teacher"),
    ("link_subject", access.can_link_subject, "subject", "officer", "board"),
    ("manage_team", access.can_manage_team, "team", "manager", "w1"),
    ("allocate", access.can_allocate, "new_case", "manager", "w1"),
    ("review_referral", access.can_review_referral, "case", "auditor", "manager"),
    ("view_review", access.can_view_review, "review", "auditor", "lead_police"),
    ("grade_review", access.can_grade_review, "drawn_review", "auditor", "w1"),
    ("respond_to_review", access.can_respond_to_review, "review", "w1", "w2"),
    ("record_review_changes", access.can_record_review_changes, "review", "manager", "w1"),
    ("update_learning_action", access.can_update_learning_action, "learning", "w2", "w1"),
    ("make_quarterly_report", access.can_make_quarterly_report, "panel", "board", "lead_police"),
    ("view_quarterly_report", access.can_view_quarterly_report, "report", "board", "manager"),
]


@pytest.fixture
def objects(quarter, django_capture_on_commit_callbacks):  # noqa: F811
    """One object of each kind and the people of the board's quarter, with police who report
    a child missing and hold a person of concern."""
    people = dict(quarter.people)
    police = quarter.police
    people["officer"] = person(Role.REFERRER, police, username="officer")
    people["teacher"] = person(Role.AGENCY_LEAD, quarter.school, username="teacher")
    with django_capture_on_commit_callbacks(execute=True):
        episode = report(
            people["officer"],
            police,
            since=timezone.now() - timedelta(days=2),
            risk="high",
            returned_at=timezone.now() - timedelta(hours=3),
        )
    review = CaseReview.objects.filter(status=ReviewStatus.FEEDBACK_GIVEN).first()
    drawn = CaseReview.objects.create(
        referral=review.referral,
        allocation=review.allocation,
        team=review.team,
        worker=review.worker,
        reviewer=review.reviewer,
        status=ReviewStatus.DRAWN,
    )
    learning = LearningAction.objects.create(
        theme=Theme.objects.first(),
        kind="briefing",
        text="A briefing on the voice of the child.",
        owner=people["w2"],
        due_date=timezone.localdate() + timedelta(days=30),
        created_by=people["auditor"],
    )
    made = QuarterlyReport.objects.create(
        panel=quarter.panel,
        quarter="2025-Q3",
        version=1,
        figures={},
        made_by=people["board"],
        made_at=at(2025, 10, 2),
        figures_sha256="0" * 64,
        pdf=b"%PDF-",
        sha256="0" * 64,
        size=5,
        pages=1,
    )
    subject = intelligence_services.subject_record(
        actor=people["officer"], kind=SubjectKind.PERSON, name="Dex Varrow", holding_agency=police
    )
    return people, {
        "episode": episode,
        "interview": ReturnInterview.objects.get(episode=episode),
        "flag": ChildFlag.objects.get(child=episode.child),
        "subject": subject,
        "team": review.team,
        "case": review.referral,
        "new_case": make_case(90, quarter.csc, people["w1"]),  # the council's, unallocated
        "review": review,
        "drawn_review": drawn,
        "learning": learning,
        "panel": quarter.panel,
        "report": made,
    }


@pytest.mark.parametrize(
    ("action", "rule", "key", "allowed", "refused"), ROWS, ids=[row[0] for row in ROWS]
)
def test_allows_agrees_with_the_rule_for_an_allowed_and_a_refused_person(
    objects, action, rule, key, allowed, refused
):
    people, things = objects
    obj = things[key]

    answers = {
        who: (access.allows(people[who], action, obj), rule(people[who], obj))
        for who in (allowed, refused)
    }

    assert answers == {allowed: (True, True), refused: (False, False)}


def test_every_newer_action_has_its_row():
    known = set(access.deny_by_default._OBJECT_RULES)

    assert {action for action, *_ in ROWS} <= known


def test_an_action_the_policy_does_not_know_is_refused_even_to_whoever_may_do_the_rest(objects):
    people, things = objects

    assert access.allows(people["officer"], "view_subject", things["subject"])
    assert not access.allows(people["officer"], "delete_subject", things["subject"])
    assert not access.allows(people["board"], "export_quarterly_report", things["report"])
