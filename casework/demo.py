"""Casework in the demo borough of Fenmarsh: workers in two of the council's teams, live
cases allocated near and over the teams' targets (one reallocated), some left unallocated,
a sample under independent review with feedback and responses, themes, a learning action,
and last quarter's performance report of each panel. Every name is invented; running it
twice changes nothing the second time."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from guardian.shortcuts import assign_perm

import access
from agencies.demo import DEMO_PASSWORD, seed_demo_authenticator
from agencies.models import Agency, AgencyType, Membership, Role, Team
from board import services as board_services
from board.models import QuarterlyReport
from board.periods import last_complete_quarter
from casework import services
from casework.models import (
    LIVE_STATES,
    Allocation,
    AllocationEnd,
    CaseloadTarget,
    CaseReview,
    Grade,
    LearningAction,
    LearningKind,
    Theme,
)
from panels.models import Panel
from referrals.models import Referral

# (username, first, last, team)
WORKERS = [
    ("aled.marsh", "Aled", "Marsh", "Exploitation Team"),
    ("bea.norcott", "Bea", "Norcott", "Exploitation Team"),
    ("cal.penrose", "Cal", "Penrose", "Exploitation Team"),
    ("dot.quenby", "Dot", "Quenby", "Front Door (MASH)"),
]
# Cases per worker, in order, as far as the demo's live cases go: over and near target 3.
SHARES = [4, 3, 1, 2]
MANAGER = "ruth.kellaway"  # the council's agency lead: manages all its teams
AUDITOR = "irene.voss"


def _worker(agency, team, username, first, last):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@fenmarsh.example"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    if not Membership.objects.active().filter(user=user, agency=agency, role=Role.REFERRER):
        Membership.objects.create(
            user=user, agency=agency, role=Role.REFERRER, team=team, job_title="Social worker"
        )
    seed_demo_authenticator(user)
    return user


def seed_casework() -> None:
    _seed_allocations()
    seed_quarterly_reports()


def _seed_allocations() -> None:
    csc = Agency.objects.filter(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE).order_by("pk").first()
    User = get_user_model()
    manager = User.objects.filter(username=MANAGER).first()
    auditor = User.objects.filter(username=AUDITOR).first()
    if csc is None or manager is None or auditor is None or Allocation.objects.exists():
        return
    teams = {t.name: t for t in Team.objects.filter(agency=csc)}
    workers = [
        _worker(csc, teams[team], username, first, last)
        for username, first, last, team in WORKERS
        if team in teams
    ]
    for team in teams.values():
        CaseloadTarget.objects.get_or_create(team=team, defaults={"per_worker": 3})
    live = list(Referral.objects.filter(state__in=LIVE_STATES).order_by("pk"))
    now = timezone.now()
    cases = iter(live[:-2] if len(live) > 2 else [])  # two stay unallocated
    allocations = []
    for worker, share in zip(workers, SHARES, strict=False):
        team = Membership.objects.filter(user=worker, team__isnull=False).first().team
        for _, case in zip(range(share), cases, strict=False):
            allocations.append(
                Allocation.objects.create(
                    referral=case,
                    team=team,
                    worker=worker,
                    allocated_by=manager,
                    allocated_at=now - timedelta(days=20),
                    reason="Allocated at the weekly allocation meeting.",
                )
            )
            assign_perm(access.VIEW_REFERRAL, worker, case)
    if len(allocations) > 1:
        # One case reallocated mid-month from the busiest worker's colleague: its history shows both.
        moved = allocations[-1]
        moved.ended_at = now - timedelta(days=10)
        moved.ended_by = manager
        moved.end_kind = AllocationEnd.REALLOCATED
        moved.end_reason = "Worker over target; rebalanced."
        moved.save(update_fields=["ended_at", "ended_by", "end_kind", "end_reason"])
        Allocation.objects.create(
            referral=moved.referral,
            team=allocations[0].team,
            worker=allocations[0].worker,
            allocated_by=manager,
            allocated_at=moved.ended_at,
            reason="Worker over target; rebalanced.",
        )
        assign_perm(access.VIEW_REFERRAL, allocations[0].worker, moved.referral)
    _seed_reviews(auditor, manager)


def seed_quarterly_reports() -> None:
    """Last quarter's report of each panel, as the scheduled run makes it (once: a second
    run of the demo on a later day makes no new version)."""
    quarter = last_complete_quarter()
    for panel in Panel.objects.filter(is_active=True).order_by("name"):
        if not QuarterlyReport.objects.filter(panel=panel, quarter=quarter).exists():
            board_services.quarterly_report_make(actor=None, panel=panel, quarter=quarter)


def _seed_reviews(auditor, manager) -> None:
    if CaseReview.objects.exists():
        return
    sample = services.review_sample_draw(actor=auditor, size=3, criteria={})
    reviews = list(sample.reviews.order_by("pk"))
    marks = [
        (Grade.GOOD, ["Voice of the child"], "Clear plan; the child's words are recorded."),
        (Grade.INADEQUATE, ["Drift", "Voice of the child"], "No visit for six weeks; act now."),
    ]
    for review, (grade, themes, feedback) in zip(reviews, marks, strict=False):
        review = services.review_grade(
            actor=auditor,
            review=review,
            decision_appropriate=grade != Grade.INADEQUATE,
            decision_timely=grade != Grade.INADEQUATE,
            voice_of_child_recorded=grade != Grade.INADEQUATE,
            information_shared=True,
            risk_assessed=True,
            grade=grade,
            feedback=feedback,
            themes=themes,
        )
        services.review_respond(
            actor=review.worker, review=review, response="Thank you: visit booked this week."
        )
    theme = Theme.objects.filter(name="Voice of the child").first()
    if theme and not LearningAction.objects.exists():
        services.learning_action_create(
            actor=auditor,
            theme=theme,
            kind=LearningKind.BRIEFING,
            text="Seven-minute briefing: recording the child's own words in every plan.",
            owner=manager,
            due_date=timezone.localdate() + timedelta(days=28),
        )
