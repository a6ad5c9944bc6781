"""Who may read and record missing episodes, return home interviews and the trigger's tasks.

A person may read an episode exactly when it is in `visible_missing_episodes(user)`: the one
who reported it, their agency's leads, whoever may read the child (a referral about them),
the team that offers return home interviews for it, the panel coordinators and the quality
auditor. The board sees counts only (`can_view_missing_figures`); read-only roles record
nothing.
"""

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from access.errors import ForbiddenForUser, NotFoundForUser
from access.referrals import referring_agencies, visible_children
from access.roles import WRITING_ROLES, Roles, kept_with_roles, roles_of, signed_in
from agencies.models import Agency, Membership, Role
from missing.models import ChildFlag, MissingEpisode, ReturnInterview

User = get_user_model()


def _interview_teams(user) -> list[int]:
    """The teams the person offers return home interviews for, in a role that may change
    things (read once per scope, with their roles)."""

    def read():
        return list(
            Membership.objects.active()
            .filter(
                user=user,
                team__isnull=False,
                role__in=WRITING_ROLES,
                agency__is_active=True,
            )
            .values_list("team_id", flat=True)
        )

    return kept_with_roles(user, "interview_teams", read)


def _episode_rules(user, roles: Roles) -> Q | None:
    if not roles.all_agencies:
        return None
    if roles.has(Role.PANEL_COORDINATOR) or roles.has(Role.QUALITY_AUDITOR):
        return Q()
    rules = Q(reported_by=user, reporting_agency_id__in=roles.all_agencies)
    leads = roles.agencies(Role.AGENCY_LEAD)
    if leads:
        rules |= Q(reporting_agency_id__in=leads)
    teams = _interview_teams(user)
    if teams:
        rules |= Q(return_interview__team_id__in=teams)
    rules |= Q(child__in=visible_children(user).values("pk"))
    return rules


# --- Episodes --------------------------------------------------------------------------------


def visible_missing_episodes(user) -> QuerySet[MissingEpisode]:
    """The episodes this person may read: every list, page, export and chronology starts here."""
    if not signed_in(user):
        return MissingEpisode.objects.none()
    rules = _episode_rules(user, roles_of(user))
    if rules is None:
        return MissingEpisode.objects.none()
    return MissingEpisode.objects.filter(rules)


def can_view_missing_episode(user, episode: MissingEpisode) -> bool:
    """Exactly when it is in visible_missing_episodes(user)."""
    return visible_missing_episodes(user).filter(pk=episode.pk).exists()


def get_missing_episode_for(user, pk) -> MissingEpisode:
    """The episode, or the same 404 whether it is missing or hidden from this person."""
    try:
        return (
            visible_missing_episodes(user)
            .select_related("child", "reporting_agency", "reported_by")
            .get(pk=pk)
        )
    except (MissingEpisode.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(object_type="missing episode", object_id=pk) from None


def missing_reporting_agencies(user) -> QuerySet[Agency]:
    """A referrer or agency lead reports a child missing for the agencies they act for."""
    return referring_agencies(user)


def can_report_missing(user) -> bool:
    """Referrers and agency leads (a police officer, a school's safeguarding lead) report."""
    return signed_in(user) and missing_reporting_agencies(user).exists()


def can_change_missing_episode(user, episode: MissingEpisode) -> bool:
    """The reporter and their agency's leads record the return and correct the episode; so
    does a panel coordinator. Never a read-only role."""
    if not signed_in(user) or not can_view_missing_episode(user, episode):
        return False
    roles = roles_of(user)
    if roles.has(Role.PANEL_COORDINATOR):
        return True
    if episode.reporting_agency_id not in roles.writing_agencies:
        return False
    return episode.reported_by_id == user.pk or episode.reporting_agency_id in roles.agencies(
        Role.AGENCY_LEAD
    )


def require_can_change_missing_episode(user, episode: MissingEpisode) -> None:
    """403 for a person who may read the episode but not change it."""
    if not can_change_missing_episode(user, episode):
        raise ForbiddenForUser(action="change", object_type="missing episode", object_id=episode.pk)


def can_export_missing_episodes(user) -> bool:
    """A panel coordinator or an agency lead downloads the episodes they may read as CSV."""
    roles = roles_of(user)
    return roles.has(Role.PANEL_COORDINATOR) or roles.has(Role.AGENCY_LEAD)


# --- Return home interviews -----------------------------------------------------------------


def can_record_return_interview(user, interview: ReturnInterview) -> bool:
    """The team that offers the interview (acting in a role that may change things), or a
    panel coordinator, records it."""
    if not signed_in(user) or not can_view_missing_episode(user, interview.episode):
        return False
    if roles_of(user).has(Role.PANEL_COORDINATOR):
        return True
    return interview.team_id is not None and interview.team_id in _interview_teams(user)


def require_can_record_return_interview(user, interview: ReturnInterview) -> None:
    """403 for a person who may read the episode but not record its interview."""
    if not can_record_return_interview(user, interview):
        raise ForbiddenForUser(
            action="record the interview of",
            object_type="missing episode",
            object_id=interview.episode_id,
        )


def _team_people(team_id) -> QuerySet:
    ids = (
        Membership.objects.active()
        .filter(team_id=team_id, role__in=WRITING_ROLES, agency__is_active=True)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True)


def _coordinators() -> QuerySet:
    ids = (
        Membership.objects.active()
        .filter(role=Role.PANEL_COORDINATOR, agency__is_active=True)
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True)


def users_to_tell_of_return_interview(interview: ReturnInterview) -> list:
    """The team that offers the interview hears of its clock (the coordinators if no team
    is set up)."""
    if interview.team_id is None:
        return list(_coordinators())
    return list(_team_people(interview.team_id))


def users_to_escalate_return_interview_to(interview: ReturnInterview) -> list:
    """An interview whose clock ran out goes to the team, its agency's leads and the panel
    coordinators."""
    people = list(users_to_tell_of_return_interview(interview)) + list(_coordinators())
    if interview.team_id is not None:
        lead_ids = (
            Membership.objects.active()
            .filter(
                role=Role.AGENCY_LEAD,
                agency__teams=interview.team_id,
                agency__is_active=True,
            )
            .values("user_id")
        )
        people += list(User.objects.filter(pk__in=lead_ids, is_active=True))
    return list({person.pk: person for person in people}.values())


# --- The trigger ----------------------------------------------------------------------------


def child_flags_visible_to(user) -> QuerySet[ChildFlag]:
    """The trigger's tasks of children whose episodes the person may read."""
    children = visible_missing_episodes(user).values("child_id")
    return ChildFlag.objects.filter(child__in=children)


def can_decide_child_flag(user, flag: ChildFlag) -> bool:
    """A panel coordinator decides on a task that is waiting."""
    return flag.is_open and roles_of(user).has(Role.PANEL_COORDINATOR)


def users_to_tell_of_child_flag(flag: ChildFlag) -> list:
    """The panel coordinators get the trigger's task."""
    return list(_coordinators())


# --- Figures --------------------------------------------------------------------------------


def can_view_missing_figures(user) -> bool:
    """Board members and panel coordinators see the counts (no names, no references)."""
    roles = roles_of(user)
    return roles.has(Role.BOARD_MEMBER) or roles.has(Role.PANEL_COORDINATOR)
