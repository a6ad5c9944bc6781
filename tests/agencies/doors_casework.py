"""Rows of the access matrix for casework (caseloads, allocation, independent review, quality
overview, learning actions) and the board's dashboard.

In the world: agency A has a team, A1, whose worker is referrer_a2 (their role names it) and
whose manager is lead_a (an agency lead whose role names no team manages all of A's teams).
The world's referral (listed for panel) is allocated to referrer_a2 in A1; the auditor has
drawn it for review; lead_b owns a learning action. `board` oversees panel P, whose chair
runs it; agency leads see their agencies' figures.
"""

from datetime import date

from tests.agencies.matrix import VIEWERS, only

REVIEWERS = ["auditor", "lead_a", "lead_b", "lead_c"]
DASHBOARD = ["board", "chair", "lead_a", "lead_b", "lead_c"]


def world_casework(world):
    """The team, the allocation, the review and the learning action, made once per world."""
    from agencies.models import Membership, Team
    from casework.models import Allocation, CaseReview, LearningAction, Theme
    from panels.models import PanelOversight

    existing = Allocation.objects.filter(referral=world.referral).first()
    if existing is not None:
        return existing
    team = Team.objects.create(agency=world.agencies["a"], name="Team A1")
    Membership.objects.filter(user=world.people["referrer_a2"]).update(team=team)
    allocation = Allocation.objects.create(
        referral=world.referral,
        team=team,
        worker=world.people["referrer_a2"],
        allocated_by=world.people["lead_a"],
        reason="Matrix.",
    )
    CaseReview.objects.create(
        referral=world.referral,
        allocation=allocation,
        team=team,
        worker=world.people["referrer_a2"],
        reviewer=world.people["auditor"],
    )
    theme = Theme.objects.create(name="Voice of the child")
    LearningAction.objects.create(
        theme=theme,
        kind="briefing",
        text="Briefing.",
        owner=world.people["lead_b"],
        due_date=date(2030, 1, 1),
        created_by=world.people["auditor"],
    )
    PanelOversight.objects.get_or_create(panel=world.meeting.panel, user=world.people["board"])
    return allocation


def _case(world):
    return world_casework(world).referral_id


def _review(world):
    return world_casework(world).reviews.get().pk


def _team(world):
    return world_casework(world).team_id


def _learning(world):
    from casework.models import LearningAction

    world_casework(world)
    return LearningAction.objects.get().pk


def _others(*allowed):
    return [p for p in VIEWERS if p not in allowed]


CASEWORK_DOORS = {
    "casework:caseloads": (
        "get",
        lambda w: (world_casework(w), "/casework/caseloads/")[1],
        None,
        only({"lead_a": 200}, default=403),
    ),
    "casework:caseloads-csv": (
        "get",
        lambda w: (world_casework(w), "/casework/caseloads.csv")[1],
        None,
        only({"lead_a": 200}, default=403),
    ),
    "casework:team-target": (
        "post",
        lambda w: f"/casework/teams/{_team(w)}/target/",
        {"per_worker": ""},  # refused as invalid even when allowed: the matrix changes nothing
        only({"lead_a": 302}),
    ),
    "casework:allocate": (
        "get",
        lambda w: f"/casework/cases/{_case(w)}/allocate/",
        None,
        only({"lead_a": 200}, knowers=_others("lead_a")),
    ),
    "casework:review-start": (
        "post",
        lambda w: f"/casework/cases/{_case(w)}/review/",
        {},
        # lead_a manages the case's team: refused, as a reviewer of their own team.
        only({"auditor": 302, "lead_b": 302}, knowers=_others("auditor", "lead_b")),
    ),
    "casework:reviews": (
        "get",
        lambda w: (world_casework(w), "/casework/reviews/")[1],
        None,
        only(dict.fromkeys([*REVIEWERS, "referrer_a2"], 200), default=403),
    ),
    "casework:review-sample": (
        "post",
        lambda w: "/casework/reviews/sample/",
        {"size": ""},
        only(dict.fromkeys(REVIEWERS, 302), default=403),
    ),
    "casework:review": (
        "get",
        lambda w: f"/casework/reviews/{_review(w)}/",
        None,
        only({"auditor": 200, "referrer_a2": 200, "lead_a": 200}),
    ),
    "casework:quality": (
        "get",
        lambda w: (world_casework(w), "/casework/quality/")[1],
        None,
        only({"auditor": 200}, default=403),
    ),
    "casework:quality-csv": (
        "get",
        lambda w: (world_casework(w), "/casework/quality/grades.csv")[1],
        None,
        only({"auditor": 200}, default=403),
    ),
    "casework:learning": (
        "get",
        lambda w: (world_casework(w), "/casework/learning/")[1],
        None,
        only({"auditor": 200, "lead_b": 200}, default=403),
    ),
    "casework:learning-new": (
        "post",
        lambda w: "/casework/learning/new/",
        {},
        only({"auditor": 302}, default=403),
    ),
    "casework:learning-done": (
        "post",
        lambda w: f"/casework/learning/{_learning(w)}/done/",
        {"note": ""},
        only({"auditor": 302, "lead_b": 302}),
    ),
    "board:dashboard": (
        "get",
        lambda w: (world_casework(w), "/board/dashboard/")[1],
        None,
        only(dict.fromkeys(DASHBOARD, 200), default=403),
    ),
    "board:dashboard-csv": (
        "get",
        lambda w: (world_casework(w), "/board/dashboard/qa-grades.csv")[1],
        None,
        only(dict.fromkeys(DASHBOARD, 200), default=403),
    ),
}
