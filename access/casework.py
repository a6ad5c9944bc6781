"""Who allocates live cases and manages caseloads, and who reviews live cases independently
(the triple lock), reads reviews, answers them, and runs the programme of learning.

- A team's manager is a live agency safeguarding lead of the team's agency whose role names
  that team, or names no team (the agency's lead then manages all its teams). There is no
  separate "team manager" role: the agency lead role is the manager's.
- A team's workers are the people whose live referrer role names the team.
- A live case (listed for panel or escalated) the manager may read is allocated by them to a
  worker of a team they manage; the manager of the case's team reallocates or closes it.
- Independent review: a quality auditor, or an agency lead acting as an independent manager,
  reviews live allocated cases they may read, never one allocated to a team of their own (a
  team their role names, or that they manage).
- A review is read by its reviewer, the case's worker, the managers of its team and quality
  auditors. The worker answers it; a manager of its team records what changes.
- Themes, benchmarks and learning actions are the quality auditor's; a learning action's
  owner marks it done too.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from access.errors import NotFoundForUser, refusal
from access.referrals import visible_referrals
from access.roles import roles_of, signed_in
from agencies.models import Membership, Role, Team
from casework.models import (
    LIVE_STATES,
    Allocation,
    CaseReview,
    LearningAction,
    ReviewStatus,
)
from referrals.models import Referral

# Managers (agency leads) are not counted as workers: their own caseload is not promised.
WORKER_ROLES = (Role.REFERRER,)


# --- Teams, managers and workers ---------------------------------------------------------------


def teams_managed_by(user) -> QuerySet[Team]:
    """The teams whose manager the person is: a live agency-lead role naming the team, or
    naming no team (then every team of that agency)."""
    lead_agencies = roles_of(user).agencies(Role.AGENCY_LEAD)
    if not signed_in(user) or not lead_agencies:
        return Team.objects.none()
    leads = Membership.objects.active().filter(
        user=user, role=Role.AGENCY_LEAD, agency_id__in=lead_agencies
    )
    named = leads.filter(team__isnull=False).values("team_id")
    agency_wide = leads.filter(team__isnull=True).values("agency_id")
    return Team.objects.filter(Q(pk__in=named) | Q(agency_id__in=agency_wide))


def can_manage_team(user, team: Team) -> bool:
    """A manager of the team: exactly teams_managed_by(user)."""
    return teams_managed_by(user).filter(pk=team.pk).exists()


def can_manage_caseloads(user) -> bool:
    """The caseload pages are for people who manage at least one team."""
    return teams_managed_by(user).exists()


def get_team_to_manage_caseload(user, pk) -> Team:
    """A team the person manages, or the same 404 whether it is missing or not theirs."""
    team = teams_managed_by(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if team is None:
        raise NotFoundForUser(object_type="team", object_id=pk)
    return team


def team_workers(team: Team) -> QuerySet:
    """Active people whose live referrer role names the team."""
    ids = Membership.objects.active().filter(
        team=team, role__in=WORKER_ROLES, agency__is_active=True
    )
    return get_user_model().objects.filter(pk__in=ids.values("user_id"), is_active=True)


def worker_seats(team_ids) -> QuerySet[Membership]:
    """The live roles that make people workers of these teams (the caseload pages read many
    teams' workers in one query): u is a worker of t exactly when u in team_workers(t)."""
    return Membership.objects.active().filter(
        team_id__in=team_ids, role__in=WORKER_ROLES, agency__is_active=True, user__is_active=True
    )


def team_managers(team: Team) -> QuerySet:
    """u in it exactly when can_manage_team(u, team)."""
    ids = (
        Membership.objects.active()
        .filter(role=Role.AGENCY_LEAD, agency_id=team.agency_id, agency__is_active=True)
        .filter(Q(team=team) | Q(team__isnull=True))
    )
    return get_user_model().objects.filter(pk__in=ids.values("user_id"), is_active=True)


def own_team_ids(user) -> set[int]:
    """The teams a person belongs to (any live role naming a team) or manages."""
    if not signed_in(user):
        return set()
    named = set(
        Membership.objects.active()
        .filter(user=user, team__isnull=False)
        .values_list("team_id", flat=True)
    )
    return named | set(teams_managed_by(user).values_list("pk", flat=True))


# --- Allocation -------------------------------------------------------------------------------


def allocatable_referrals(user) -> QuerySet[Referral]:
    """Live cases a team manager may read: those they may allocate (or reallocate, when the
    case's team is theirs)."""
    if not can_manage_caseloads(user):
        return Referral.objects.none()
    return visible_referrals(user).filter(state__in=LIVE_STATES)


def can_allocate(user, referral: Referral) -> bool:
    """A team manager allocates a live case they may read that has no live allocation, or
    reallocates or closes one whose team they manage."""
    if not allocatable_referrals(user).filter(pk=referral.pk).exists():
        return False
    live = Allocation.objects.filter(referral=referral, ended_at__isnull=True).first()
    return live is None or can_manage_team(user, live.team)


def require_can_allocate(user, referral: Referral) -> None:
    if not can_allocate(user, referral):
        raise refusal("allocate", "referral", referral.pk)


def get_live_case_for(user, pk) -> Referral:
    """A live case for the allocation page: the same 404 whether missing or unreadable."""
    referral = visible_referrals(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if referral is None:
        raise NotFoundForUser(object_type="referral", object_id=pk)
    return referral


def users_to_tell_of_allocation(allocation: Allocation) -> QuerySet:
    """The worker given the case."""
    return get_user_model().objects.filter(pk=allocation.worker_id, is_active=True)


# --- Independent review -----------------------------------------------------------------------


def can_review_at_all(user) -> bool:
    """Quality auditors and agency leads (as independent managers) draw and review samples."""
    roles = roles_of(user)
    return roles.has(Role.QUALITY_AUDITOR) or roles.has(Role.AGENCY_LEAD)


def reviewable_referrals(user) -> QuerySet[Referral]:
    """Live allocated cases the person may read, none allocated to a team of their own."""
    if not can_review_at_all(user):
        return Referral.objects.none()
    live = Allocation.objects.filter(ended_at__isnull=True)
    mine = own_team_ids(user)
    return (
        visible_referrals(user)
        .filter(state__in=LIVE_STATES, pk__in=live.values("referral_id"))
        .exclude(pk__in=live.filter(team_id__in=mine).values("referral_id"))
    )


def can_review_referral(user, referral: Referral) -> bool:
    """Exactly reviewable_referrals(user): never a case of the reviewer's own team."""
    return reviewable_referrals(user).filter(pk=referral.pk).exists()


def require_can_review_referral(user, referral: Referral) -> None:
    if not can_review_referral(user, referral):
        raise refusal("review", "referral", referral.pk)


def visible_reviews(user) -> QuerySet[CaseReview]:
    """Reviews the person made, of their own work, of teams they manage; all for auditors."""
    if not signed_in(user):
        return CaseReview.objects.none()
    if roles_of(user).has(Role.QUALITY_AUDITOR):
        return CaseReview.objects.all()
    return CaseReview.objects.filter(
        Q(reviewer=user) | Q(worker=user) | Q(team__in=teams_managed_by(user))
    )


def can_view_review(user, review: CaseReview) -> bool:
    """Exactly visible_reviews(user)."""
    return visible_reviews(user).filter(pk=review.pk).exists()


def get_review_for(user, pk) -> CaseReview:
    """The review, or the same 404 whether it is missing or not for this person."""
    review = (
        visible_reviews(user)
        .select_related("referral", "team__agency", "worker", "reviewer")
        .filter(pk=pk)
        .first()
        if str(pk).isdigit()
        else None
    )
    if review is None:
        raise NotFoundForUser(object_type="review", object_id=pk)
    return review


def can_grade_review(user, review: CaseReview) -> bool:
    """Its reviewer, while it is drawn, and only while the case is still not of their team."""
    return (
        review.reviewer_id == getattr(user, "pk", None)
        and review.status == ReviewStatus.DRAWN
        and review.team_id not in own_team_ids(user)
    )


def can_respond_to_review(user, review: CaseReview) -> bool:
    """The worker answers the feedback once."""
    return (
        review.worker_id == getattr(user, "pk", None)
        and review.status == ReviewStatus.FEEDBACK_GIVEN
    )


def can_record_review_changes(user, review: CaseReview) -> bool:
    """A manager of the review's team records what changes, after feedback."""
    return review.status in (
        ReviewStatus.FEEDBACK_GIVEN,
        ReviewStatus.RESPONDED,
    ) and can_manage_team(user, review.team)


def require_review_step(user, review: CaseReview, step: str) -> None:
    rule = {
        "grade": can_grade_review,
        "respond": can_respond_to_review,
        "record_changes": can_record_review_changes,
    }.get(step)
    if rule is None or not rule(user, review):
        raise refusal(step.replace("_", " "), "review", review.pk)


def users_to_tell_of_review(review: CaseReview) -> QuerySet:
    """The worker and the managers of the review's team hear the feedback at once."""
    return get_user_model().objects.filter(
        Q(pk=review.worker_id) | Q(pk__in=team_managers(review.team).values("pk")),
        is_active=True,
    )


# --- Themes, benchmarks and learning ----------------------------------------------------------


def can_view_quality_overview(user) -> bool:
    """Themes and grades over time, benchmarks and learning: quality auditors."""
    return roles_of(user).has(Role.QUALITY_AUDITOR)


def require_can_view_quality_overview(user) -> None:
    if not can_view_quality_overview(user):
        raise refusal("see", "quality overview")


def visible_learning_actions(user) -> QuerySet[LearningAction]:
    """Auditors see every learning action; others those they own."""
    if not signed_in(user):
        return LearningAction.objects.none()
    if can_view_quality_overview(user):
        return LearningAction.objects.all()
    return LearningAction.objects.filter(owner=user)


def can_update_learning_action(user, action: LearningAction) -> bool:
    """Its owner or a quality auditor marks it done, while it is open."""
    return action.status == "open" and visible_learning_actions(user).filter(pk=action.pk).exists()


def get_learning_action_for(user, pk) -> LearningAction:
    action = visible_learning_actions(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if action is None:
        raise NotFoundForUser(object_type="learning action", object_id=pk)
    return action
