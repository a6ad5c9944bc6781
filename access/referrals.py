"""Who may read a referral, what agencies know about it and a child, and who may change,
share, move, refer, screen and contribute.

A person may read a referral exactly when it is in `visible_referrals(user)`; every other
question about one referral is answered from the person's roles and that rule. Of what
agencies know, a "panel only" contribution is read by the panel, its own agency and the
quality auditor.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from access.errors import NotFoundForUser
from access.roles import VIEW_REFERRAL, Roles, in_scope, people_with_role_in, roles_of
from agencies.models import Agency, Role
from panels.models import AgendaItem, PanelMembership
from referrals.models import (
    BreakGlassAccess,
    Child,
    Contribution,
    ContributionSensitivity,
    Referral,
    ReferralGroupObjectPermission,
    ReferralState,
    ReferralUserObjectPermission,
)


def _active_panel_ids(user, now):
    return PanelMembership.objects.active(now).filter(user=user).values("panel_id")


def _panel_grace() -> timedelta:
    return timedelta(days=settings.PANEL_ACCESS_GRACE_DAYS)


def _listed_on_my_panels(user, now) -> Q:
    """Listed on a meeting of a panel the person sits on, and not closed beyond the grace."""
    listed = AgendaItem.objects.filter(
        referral=OuterRef("pk"),
        withdrawn_at__isnull=True,
        meeting__panel_id__in=_active_panel_ids(user, now),
    )
    return Exists(listed) & (Q(closed_at__isnull=True) | Q(closed_at__gt=now - _panel_grace()))


def _referral_rule_parts(
    user, roles: Roles, *, include_auditor: bool, split: bool = False
) -> tuple[list[Q], bool]:
    """Each rule by which the person may read a referral (a referral is visible when any one
    holds), and whether one of them is every case that has left draft (a coordinator's, an
    auditor's). `split`: a lead's rule (their agency's cases, or those shared with it) as its
    two halves, each answered from its own index, for counting rule by rule
    (listable_referrals)."""
    if not roles.all_agencies:
        return [], False
    now = timezone.now()
    not_draft = ~Q(state=ReferralState.DRAFT)
    # A referrer sees what they submitted and their own drafts, while they act for that agency.
    parts = [Q(referrer=user, agency_id__in=roles.all_agencies)]
    every_case = False
    leads = roles.agencies(Role.AGENCY_LEAD)
    if leads:
        shared_with_my_agency = ReferralGroupObjectPermission.objects.filter(
            content_object=OuterRef("pk"),
            permission__codename=VIEW_REFERRAL,
            group__agency__in=leads,
        )
        if split:
            parts += [not_draft & Q(agency_id__in=leads), not_draft & Exists(shared_with_my_agency)]
        else:
            parts.append(not_draft & (Q(agency_id__in=leads) | Exists(shared_with_my_agency)))
        if "break_glass" in roles.grounds:
            parts.append(
                Q(
                    Exists(
                        BreakGlassAccess.objects.filter(
                            referral=OuterRef("pk"), user=user, expires_at__gt=now
                        )
                    )
                )
            )
    if roles.has(Role.PANEL_COORDINATOR) or (include_auditor and roles.has(Role.QUALITY_AUDITOR)):
        parts.append(not_draft)
        every_case = True
    if "panels" in roles.grounds:
        parts.append(not_draft & _listed_on_my_panels(user, now))
    if "grants" in roles.grounds:
        # Individually granted through django-guardian (a case allocated to one worker).
        parts.append(
            not_draft
            & Exists(
                ReferralUserObjectPermission.objects.filter(
                    content_object=OuterRef("pk"), user=user, permission__codename=VIEW_REFERRAL
                )
            )
        )
    return parts, every_case


def _referral_rules(user, roles: Roles, *, include_auditor: bool) -> Q | None:
    parts, _ = _referral_rule_parts(user, roles, include_auditor=include_auditor)
    return _any_of(parts)


def _any_of(parts: list[Q]) -> Q | None:
    if not parts:
        return None
    rules = parts[0]
    for part in parts[1:]:
        rules |= part
    return rules


# --- Referrals -----------------------------------------------------------------------------


def visible_referrals(user, roles: Roles | None = None) -> QuerySet[Referral]:
    """The referrals this person may read: every list, search and export starts here."""
    roles = roles if roles is not None else roles_of(user)
    rules = _referral_rules(user, roles, include_auditor=True)
    if rules is None:
        return Referral.objects.none()
    return Referral.objects.filter(rules)


def listable_referrals(
    user, roles: Roles | None = None
) -> tuple[QuerySet[Referral], list[QuerySet[Referral]]]:
    """The referrals this person may read twice over, from one reading of their rules: as
    `visible_referrals` gives them (the list's pages), and as one queryset per rule, whose
    union is the same rows (the list's heading counts them rule by rule).

    One query with the rules OR-ed walks the referrals through every rule until it has
    found as many as it counts: 28 ms at 100,000 referrals for an agency lead whose agency
    made one referral in sixty, 35 to 50 ms uncapped for a panel member who may read 121.
    Counted per rule, each rule is answered from its own index (an agency's cases, a
    panel's agenda, the cases shared with an agency or granted to a person) and stops at
    the cap on its own: referrals.list_paging.CappedPaginator. For a person who may read
    every case (a coordinator, an auditor) the one query finds the cap's worth at once, so
    it is the one rule counted. tests/agencies/test_policy_matrix.py checks the rules' union
    is `visible_referrals` for every position of the access matrix."""
    roles = roles if roles is not None else roles_of(user)
    parts, every_case = _referral_rule_parts(user, roles, include_auditor=True, split=True)
    if not parts:
        return Referral.objects.none(), [Referral.objects.none()]
    visible = Referral.objects.filter(_any_of(parts))
    if every_case or len(parts) == 1:
        # Every case is one rule that finds the cap's worth at once down the list's own
        # index; the others add nothing to walk.
        return visible, [visible]
    return visible, [Referral.objects.filter(part) for part in parts]


def can_view_referral(user, referral: Referral) -> bool:
    """A person may read a referral exactly when it is in visible_referrals(user)."""
    if _fetched_as_visible_to(user, referral):
        return True
    return visible_referrals(user).filter(pk=referral.pk).exists()


# A referral fetched through `get_referral_for` within a scope carries who it was fetched for
# and the roles it was fetched with: a page asks "may they read it?" many times (each form,
# each move) and the answer is the fetch itself, until the scope forgets those roles.
_FETCHED_FOR = "_access_fetched_for"


def _fetched_as_visible_to(user, referral: Referral) -> bool:
    fetched_for = getattr(referral, _FETCHED_FOR, None)
    return (
        fetched_for is not None
        and in_scope()
        and fetched_for[0] == user.pk
        and fetched_for[1] is roles_of(user)
    )


def get_referral_for(user, pk) -> Referral:
    """The referral, or the same 404 whether it is missing or hidden from this person."""
    try:
        referral = (
            visible_referrals(user)
            # The hub's clocks too: the page reads each deadline in its hub's terms.
            .select_related("child", "agency", "referrer", "hub__screening_clocks")
            .get(pk=pk)
        )
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise NotFoundForUser(
            object_type="referral", object_id=pk, referral_id=_existing(pk)
        ) from None
    if in_scope():
        setattr(referral, _FETCHED_FOR, (user.pk, roles_of(user)))
    return referral


def _existing(pk):
    try:
        return Referral.objects.filter(pk=pk).values_list("pk", flat=True).first()
    except (ValueError, TypeError):
        return None


def must_give_view_reason(user, referral: Referral) -> bool:
    """A quality auditor reading a case they hold no other right to gives a reason each time."""
    roles = roles_of(user)
    if not roles.has(Role.QUALITY_AUDITOR):
        return False
    other_rules = _referral_rules(user, roles, include_auditor=False)
    return other_rules is None or not Referral.objects.filter(other_rules, pk=referral.pk).exists()


def can_change_referral(user, referral: Referral) -> bool:
    """The referrer changes their own draft; the agency's lead and a coordinator change a case."""
    roles = roles_of(user)
    if referral.state == ReferralState.DRAFT:
        return referral.referrer_id == user.pk and referral.agency_id in roles.all_agencies
    return referral.agency_id in roles.agencies(Role.AGENCY_LEAD) or roles.has(
        Role.PANEL_COORDINATOR
    )


def can_share_referral(user, referral: Referral) -> bool:
    """The referring agency's lead or a panel coordinator shares a submitted referral."""
    if referral.state == ReferralState.DRAFT:
        return False
    roles = roles_of(user)
    return referral.agency_id in roles.agencies(Role.AGENCY_LEAD) or roles.has(
        Role.PANEL_COORDINATOR
    )


def can_break_glass(user, referral: Referral) -> bool:
    """An agency lead may open a submitted case they cannot otherwise see, giving a reason."""
    roles = roles_of(user)
    return (
        roles.has(Role.AGENCY_LEAD)
        and referral.state != ReferralState.DRAFT
        and not can_view_referral(user, referral)
    )


def can_break_glass_at_all(user) -> bool:
    """Only an agency lead is offered the break-glass page."""
    return roles_of(user).has(Role.AGENCY_LEAD)


def break_glass_duration() -> timedelta:
    return timedelta(hours=settings.BREAK_GLASS_HOURS)


def users_to_tell_of_break_glass(referral: Referral) -> QuerySet:
    """The referring agency's leads hear when someone breaks the glass on its case."""
    return people_with_role_in(Role.AGENCY_LEAD, [referral.agency_id])


def data_protection_officers_to_tell_of_break_glass(referral: Referral) -> QuerySet:
    """The referring agency's data protection officers hear of it too; they read the case's
    audit trail (who saw it), not the case."""
    return people_with_role_in(Role.DATA_PROTECTION_OFFICER, [referral.agency_id])


def users_to_tell_of_decision(referral: Referral) -> list:
    """The person who made the referral hears what was decided (feedback to the referrer),
    while they may still read it."""
    referrer = referral.referrer
    if referrer is None or not can_view_referral(referrer, referral):
        return []
    return [referrer]


def users_to_tell_of_share(referral: Referral, agency: Agency) -> QuerySet:
    """The leads of the agency a referral is shared with."""
    return people_with_role_in(Role.AGENCY_LEAD, [agency.pk])


# --- Referral work ---------------------------------------------------------------------------


def referring_agencies(user) -> QuerySet[Agency]:
    """A referrer or agency lead refers on behalf of the agencies they act for."""
    roles = roles_of(user)
    ids = roles.agencies(Role.REFERRER) | roles.agencies(Role.AGENCY_LEAD)
    return Agency.objects.filter(pk__in=ids, is_active=True)


def may_refer_for(user, agency: Agency) -> bool:
    """Whether the person may refer for this agency, one of their referring_agencies: asked of
    the roles already read for the request and the agency as the caller read it, no query."""
    roles = roles_of(user)
    ids = roles.agencies(Role.REFERRER) | roles.agencies(Role.AGENCY_LEAD)
    return agency.pk in ids and agency.is_active


def can_refer(user) -> bool:
    """Referrers and agency leads may start a referral."""
    return referring_agencies(user).exists()


def can_screen(user) -> bool:
    """A panel coordinator screens referrals and decides what happens next."""
    return roles_of(user).has(Role.PANEL_COORDINATOR)


def can_move_referral(user, referral: Referral, transition: str) -> bool:
    """Submit and withdraw a draft: its referrer; withdraw a submitted one: its referrer or
    agency lead; every other move (screen, decide, close): a panel coordinator."""
    if not can_view_referral(user, referral):
        return False
    roles = roles_of(user)
    if transition == "submit":
        return referral.referrer_id == user.pk and referral.agency_id in roles.all_agencies
    if transition == "withdraw":
        if referral.state == ReferralState.DRAFT:
            return referral.referrer_id == user.pk
        return referral.referrer_id == user.pk or referral.agency_id in roles.agencies(
            Role.AGENCY_LEAD
        )
    return roles.has(Role.PANEL_COORDINATOR)


def can_add_attachment(user, referral: Referral) -> bool:
    """Whoever may change the referral may attach a file to it."""
    return can_change_referral(user, referral)


def users_to_tell_of_screening_clock(referral: Referral) -> QuerySet:
    """The panel coordinators, who screen every submitted referral, hear of its clocks."""
    return people_with_role_in(Role.PANEL_COORDINATOR)


# --- Contributions ("what we know") ----------------------------------------------------------


def contributing_agencies(user, referral: Referral) -> QuerySet[Agency]:
    """A person adds what their agency knows to a submitted referral they may read, for an
    agency they refer or lead for."""
    if referral.state == ReferralState.DRAFT or not can_view_referral(user, referral):
        return Agency.objects.none()
    return referring_agencies(user)


def can_request_contributions(user, referral: Referral) -> bool:
    """A panel coordinator asks agencies what they know about a submitted referral."""
    return referral.state != ReferralState.DRAFT and roles_of(user).has(Role.PANEL_COORDINATOR)


def users_to_tell_of_contribution_request(referral: Referral, agency: Agency) -> QuerySet:
    """The leads of the agency asked for its information."""
    return people_with_role_in(Role.AGENCY_LEAD, [agency.pk])


def contributions_visible_to(user) -> QuerySet[Contribution]:
    """Of the referrals the person may read: every contribution, except that one marked
    "panel only" is read only by the panel (members, chair, coordinator), its own agency and
    the quality auditor."""
    roles = roles_of(user)
    if not roles.all_agencies:
        return Contribution.objects.none()
    visible = visible_referrals(user, roles).values("pk")
    return _readable(user, roles, Contribution.objects.filter(referral__in=visible))


def visible_contributions(user, referral: Referral) -> QuerySet[Contribution]:
    """Exactly those of contributions_visible_to(user) on this referral (none of a referral the
    person may not read)."""
    if _fetched_as_visible_to(user, referral):
        return _readable(user, roles_of(user), Contribution.objects.filter(referral=referral))
    return contributions_visible_to(user).filter(referral=referral)


def _readable(user, roles: Roles, contributions: QuerySet) -> QuerySet[Contribution]:
    if roles.has(Role.PANEL_COORDINATOR) or roles.has(Role.QUALITY_AUDITOR):
        return contributions
    readable = ~Q(sensitivity=ContributionSensitivity.PANEL_ONLY) | Q(
        agency_id__in=roles.all_agencies
    )
    if "panels" in roles.grounds:
        listed = Referral.objects.filter(_listed_on_my_panels(user, timezone.now()))
        readable |= Q(referral__in=listed.values("pk"))
    return contributions.filter(readable)


def can_view_contribution(user, contribution: Contribution) -> bool:
    """Exactly when it is in visible_contributions(user, its referral)."""
    return visible_contributions(user, contribution.referral).filter(pk=contribution.pk).exists()


# --- Children ---------------------------------------------------------------------------------


def visible_children(user):
    """Children with at least one referral the person may read."""
    return Child.objects.filter(pk__in=visible_referrals(user).values("child_id"))


def get_child_for(user, pk):
    """The child, or the same 404 whether the child is missing or hidden from this person."""
    try:
        return visible_children(user).get(pk=pk)
    except (Child.DoesNotExist, ValueError, TypeError):
        exists = Child.objects.filter(pk=pk).values_list("pk", flat=True).first()
        raise NotFoundForUser(object_type="child", object_id=pk, child_id=exists) from None


def must_give_child_view_reason(user, child) -> bool:
    """A quality auditor reading a child's chronology gives a reason each time, when it shows a
    case they hold no other right to (as for reading that case itself)."""
    roles = roles_of(user)
    if not roles.has(Role.QUALITY_AUDITOR):
        return False
    cases = visible_referrals(user, roles).filter(child=child)
    other_rules = _referral_rules(user, roles, include_auditor=False)
    return (cases if other_rules is None else cases.exclude(other_rules)).exists()
