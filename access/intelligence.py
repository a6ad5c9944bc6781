"""Who may read and record persons, places, vehicles and online accounts of concern, and
which of the children linked to them a person may see.

A subject is read by people acting for its holding agency, and by the members of the panels
where it is discussed (a live seat held in a role that may change things), and, only when
its sensitivity allows partners, by whoever may read a child linked to it. The board sees
counts only (`can_view_intelligence_figures`). Of a subject's links, a person sees only the
children they may see (`children_visible_in_links`).
"""

from django.db.models import Q, QuerySet

from access.errors import NotFoundForUser
from access.meetings import RUNNING_ROLES, can_run_meeting, seats_of
from access.missing import visible_missing_episodes
from access.referrals import visible_children
from access.roles import roles_of, signed_in
from agencies.models import Agency, Role
from intelligence.models import Link, Sensitivity, Subject
from panels.models import AgendaItem, Meeting, MeetingStatus, Panel, PanelKind
from referrals.models import Child


def _seated_panels(user) -> set[int]:
    return {panel for panel, _ in seats_of(user, writing=True)}


def children_visible_in_links(user) -> QuerySet[Child]:
    """The children a person may see named on a subject's page or a panel's network: those
    with a referral or a missing episode they may read."""
    if not signed_in(user):
        return Child.objects.none()
    return Child.objects.filter(
        Q(pk__in=visible_children(user).values("pk"))
        | Q(pk__in=visible_missing_episodes(user).values("child_id"))
    )


def child_ids_visible_among(user, child_ids) -> set[int]:
    """Which of these children the person may see named (as children_visible_in_links), in
    two index-backed reads rather than one OR of subqueries."""
    if not signed_in(user) or not child_ids:
        return set()
    ids = set(child_ids)
    seen = set(visible_children(user).filter(pk__in=ids).values_list("pk", flat=True))
    rest = ids - seen
    if rest:
        seen |= set(
            visible_missing_episodes(user)
            .filter(child_id__in=rest)
            .values_list("child_id", flat=True)
        )
    return seen


def visible_subjects(user) -> QuerySet[Subject]:
    """The subjects this person may read: their holding agency's people, the members of the
    panels where they are discussed, and partners who may see a linked child where the
    sensitivity allows."""
    if not signed_in(user):
        return Subject.objects.none()
    roles = roles_of(user)
    writing = roles.writing_agencies
    if not writing:
        return Subject.objects.none()
    rules = Q(holding_agency_id__in=writing)
    panels = _seated_panels(user)
    if panels:
        rules |= Q(discussions__panel_id__in=panels)
    linked_children = Link.objects.current().filter(
        child__in=children_visible_in_links(user).values("pk")
    )
    rules |= Q(sensitivity=Sensitivity.PARTNERS, pk__in=linked_children.values("subject_id"))
    return Subject.objects.filter(pk__in=Subject.objects.filter(rules).values("pk"))


def can_view_subject(user, subject: Subject) -> bool:
    """Exactly when it is in visible_subjects(user)."""
    return visible_subjects(user).filter(pk=subject.pk).exists()


def get_subject_for(user, pk) -> Subject:
    """The subject, or the same 404 whether it is missing or hidden from this person."""
    try:
        return visible_subjects(user).select_related("holding_agency").get(pk=pk)
    except (Subject.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(object_type="subject of concern", object_id=pk) from None


def intelligence_holding_agencies(user) -> QuerySet[Agency]:
    """The agencies a person records intelligence for: those they act for in a role that may
    change things."""
    if not signed_in(user):
        return Agency.objects.none()
    return Agency.objects.filter(pk__in=roles_of(user).writing_agencies, is_active=True)


def can_record_subject(user) -> bool:
    """Anyone acting for an agency in a role that may change things records what their
    agency holds."""
    return signed_in(user) and bool(roles_of(user).writing_agencies)


def can_link_subject(user, subject: Subject) -> bool:
    """Whoever may read the subject, in a role that may change things, links it to a child
    they may see."""
    return can_record_subject(user) and can_view_subject(user, subject)


def can_change_subject(user, subject: Subject) -> bool:
    """The holding agency's people (writing roles) and the chairs and coordinators of the
    panels where it is discussed end its links and take it to a panel."""
    if not can_view_subject(user, subject):
        return False
    if subject.holding_agency_id in roles_of(user).writing_agencies:
        return True
    running = {panel for panel, role in seats_of(user, writing=True) if role in RUNNING_ROLES}
    return subject.discussions.filter(panel_id__in=running).exists()


# --- A panel's network ---------------------------------------------------------------------


def panels_with_network_visible_to(user) -> QuerySet[Panel]:
    """The panels whose network of subjects the person may see: where they hold a live seat
    in a role that may change things."""
    if not signed_in(user):
        return Panel.objects.none()
    return Panel.objects.filter(pk__in=_seated_panels(user))


def get_panel_network_for(user, pk) -> Panel:
    """The panel, or the same 404 whether it is missing or its network hidden from them."""
    try:
        return panels_with_network_visible_to(user).get(pk=pk)
    except (Panel.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(object_type="panel", object_id=pk) from None


def can_view_intelligence_figures(user) -> bool:
    """Board members and panel coordinators see counts: never a name, an address or a
    registration."""
    roles = roles_of(user)
    return roles.has(Role.BOARD_MEMBER) or roles.has(Role.PANEL_COORDINATOR)


# --- Thematic items of an exploitation panel's agenda ---------------------------------------
def themes_listable_on(user, meeting: Meeting) -> QuerySet[Subject]:
    """The persons, places, vehicles and accounts of concern a person may list as a thematic
    item: none unless they run the meeting, it is still scheduled and its panel is an
    exploitation panel; then those they may take to a panel (as can_change_subject: their
    agency holds it, or it is already discussed at a panel they run) and not on this agenda
    already. Listing one takes it to the panel, so its members may read it from then on."""
    if (
        meeting.status != MeetingStatus.SCHEDULED
        or meeting.panel.kind != PanelKind.EXPLOITATION
        or not can_run_meeting(user, meeting)
    ):
        return Subject.objects.none()
    running = {panel for panel, role in seats_of(user, writing=True) if role in RUNNING_ROLES}
    may_take = Q(holding_agency_id__in=roles_of(user).writing_agencies) | Q(
        discussions__panel_id__in=running
    )
    on_agenda = AgendaItem.objects.filter(
        meeting=meeting, withdrawn_at__isnull=True, subject__isnull=False
    )
    return visible_subjects(user).filter(
        pk__in=Subject.objects.filter(may_take)
        .exclude(pk__in=on_agenda.values("subject_id"))
        .values("pk")
    )


def can_list_theme(user, meeting: Meeting, subject) -> bool:
    """Exactly when the subject is in themes_listable_on(user, meeting)."""
    return themes_listable_on(user, meeting).filter(pk=subject.pk).exists()
