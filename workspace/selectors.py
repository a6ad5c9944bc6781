"""What needs each person now: the home's sections, one per role they hold, each item a count
with its deadline and the link that opens it.

Every count is taken from a queryset the access policy gives for the person (visible
referrals, visible actions, the meetings they run, the grants they may decide, the board
copies they receive), so a count is never of something they may not open. The reads are
grouped so the home runs a fixed number of queries however much data there is: one
aggregate over the person's referrals for every role that counts them, one over their
actions, one over waiting contribution requests, one over the meetings they run.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Case, Count, Exists, F, Min, OuterRef, Q, When
from django.urls import reverse
from django.utils import timezone

import access
from agencies.models import AuditAction, AuditEvent, Role
from panels.models import (
    INCOMPLETE_ACTION_STATUSES,
    AgendaItemKind,
    MeetingStatus,
    MinutesStatus,
)
from referrals.models import ChildMatch, ContributionRequest, MatchStatus, ReferralState

LIVE_STATES = [
    ReferralState.SUBMITTED,
    ReferralState.SCREENED,
    ReferralState.LISTED_FOR_PANEL,
    ReferralState.ESCALATED,
]
QUEUE_STATES = [ReferralState.SUBMITTED, ReferralState.SCREENED]
BREAK_GLASS_LOOKBACK = timedelta(days=30)
REFUSALS_LOOKBACK = timedelta(days=7)


@dataclass
class Item:
    """One thing that needs the person: "3 referrals waiting for screening", its link, and
    the nearest deadline among them (overdue when it has passed)."""

    label: str
    count: int
    url: str
    deadline: datetime | date | None = None
    overdue: int = 0
    note: str = ""
    # What the date is, when it is not a deadline: "Oldest asked", "Starts", "Closed".
    when: str = ""

    @property
    def deadline_has_time(self) -> bool:
        return isinstance(self.deadline, datetime)

    @property
    def deadline_passed(self) -> bool:
        if self.deadline is None:
            return False
        if isinstance(self.deadline, datetime):
            return self.deadline < timezone.now()
        return self.deadline < timezone.localdate()


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)


def _url(name: str, **query) -> str:
    url = reverse(name)
    return f"{url}?{urlencode(query)}" if query else url


# --- The reads, each one query --------------------------------------------------------------


def _referral_figures(user, roles) -> dict:
    """One aggregate over the referrals the person may see, with the terms each of their
    roles needs."""
    now = timezone.now()
    terms = {}
    # Every term counts within one of these: the aggregate reads only the referrals they
    # hold (each found by an index), not everything the person may see (at 1,000,000
    # referrals an agency lead's home took 550 ms walking them all through the policy).
    within = []
    if roles.has(Role.REFERRER) or roles.has(Role.AGENCY_LEAD):
        mine = Q(referrer=user)
        within.append(mine)
        terms["drafts"] = Count("pk", filter=mine & Q(state=ReferralState.DRAFT))
        terms["mine_live"] = Count("pk", filter=mine & Q(state__in=LIVE_STATES))
        terms["mine_waiting"] = Count("pk", filter=mine & Q(state__in=QUEUE_STATES))
        terms["mine_decided"] = Count(
            "pk", filter=mine & ~Q(state__in=[*LIVE_STATES, ReferralState.DRAFT])
        )
    if roles.has(Role.AGENCY_LEAD):
        ours = Q(agency_id__in=roles.agencies(Role.AGENCY_LEAD)) & ~Q(state=ReferralState.DRAFT)
        within.append(ours)
        terms["ours_live"] = Count("pk", filter=ours & Q(state__in=LIVE_STATES))
        terms["ours_waiting"] = Count("pk", filter=ours & Q(state__in=QUEUE_STATES))
        terms["ours_next_due"] = Min("next_due_at", filter=ours & Q(state__in=QUEUE_STATES))
    if roles.has(Role.PANEL_COORDINATOR):
        queue = Q(state__in=QUEUE_STATES)
        within.append(queue)
        terms["queue"] = Count("pk", filter=queue)
        terms["queue_overdue"] = Count("pk", filter=queue & Q(next_due_at__lt=now))
        terms["queue_next_due"] = Min("next_due_at", filter=queue)
    if roles.has(Role.QUALITY_AUDITOR):
        within.append(Q(state__in=LIVE_STATES))
        terms["to_review"] = Count("pk", filter=Q(state__in=LIVE_STATES) & Q(reviewed=False))
        terms["review_oldest"] = Min(
            "submitted_at", filter=Q(state__in=LIVE_STATES) & Q(reviewed=False)
        )
    if not terms:
        return {}
    held = within[0]
    for scope in within[1:]:
        held |= scope
    referrals = (
        access.visible_referrals(user)
        .filter(held)
        .annotate(
            next_due_at=Case(
                When(state=ReferralState.SUBMITTED, then=F("screening_due_at")),
                default=F("decision_due_at"),
            )
        )
    )
    if roles.has(Role.QUALITY_AUDITOR):
        viewed = AuditEvent.objects.filter(
            referral=OuterRef("pk"), actor=user, action=AuditAction.VIEWED
        )
        referrals = referrals.annotate(reviewed=Exists(viewed))
    return referrals.order_by().aggregate(**terms)


def _action_figures(user, roles) -> dict:
    """One aggregate over the incomplete actions the person may see: theirs, their agency's
    and (for a chair) those of the panels they run."""
    today = timezone.localdate()
    mine = Q(owner_person=user)
    ours = Q(owner_agency_id__in=roles.agencies(Role.AGENCY_LEAD))
    # Only a chair is told of the overdue actions of the panels they run (their seats are
    # read once per request; nobody else pays for reading them here).
    run = (
        Q(meeting__panel__in=access.panels_run_by(user))
        if roles.has(Role.PANEL_CHAIR)
        else Q(pk=None)
    )
    late = Q(due_date__lt=today)
    return (
        access.visible_actions(user)
        .filter(status__in=INCOMPLETE_ACTION_STATUSES)
        .order_by()
        .aggregate(
            mine=Count("pk", filter=mine),
            mine_overdue=Count("pk", filter=mine & late),
            mine_next=Min("due_date", filter=mine),
            ours=Count("pk", filter=ours),
            ours_overdue=Count("pk", filter=ours & late),
            ours_next=Min("due_date", filter=ours),
            panels_overdue=Count("pk", filter=run & late),
            panels_oldest=Min("due_date", filter=run & late),
        )
    )


def _request_figures(user, roles) -> dict:
    """One aggregate over the contribution requests still waiting, on referrals the person
    may see: those asked of their agencies, and (for a coordinator) every one."""
    asked_of_us = Q(agency_id__in=roles.all_agencies)
    return (
        ContributionRequest.objects.filter(
            answered_at__isnull=True, referral__in=access.visible_referrals(user)
        )
        .order_by()
        .aggregate(
            ours=Count("pk", filter=asked_of_us),
            ours_oldest=Min("requested_at", filter=asked_of_us),
            all=Count("pk"),
            oldest=Min("requested_at"),
        )
    )


def _grants_waiting(user) -> int:
    """Roles and panel seats waiting for the person's approval, counted in one query."""
    roles = access.grants_to_decide(user).order_by().values("pk")
    seats = access.seats_to_decide(user).order_by().values("pk")
    return roles.union(seats, all=True).count()


def _meetings_run(user) -> list:
    """The meetings of the panels the person chairs or coordinates that are coming up or
    whose minutes are not yet approved, with their number of cases (one query)."""
    return list(
        access.meetings_run_by(user)
        .filter(
            ~Q(status=MeetingStatus.CLOSED)
            | Q(minutes__isnull=True)
            | ~Q(minutes__status=MinutesStatus.APPROVED)
        )
        .select_related("panel", "minutes")
        .annotate(cases=Count("agenda_items", filter=Q(agenda_items__kind=AgendaItemKind.CASE)))
        .order_by("starts_at")[:50]
    )


# --- The sections ---------------------------------------------------------------------------


def home_sections(*, user) -> list[Section]:
    """One section per role the person holds, in the order of a referral's life."""
    roles = access.roles_of(user)
    referrals = _referral_figures(user, roles)
    needs_actions = any(
        roles.has(role)
        for role in (Role.REFERRER, Role.AGENCY_LEAD, Role.PANEL_CHAIR, Role.PANEL_MEMBER)
    )
    actions = _action_figures(user, roles) if needs_actions else {}
    needs_requests = any(
        roles.has(role) for role in (Role.REFERRER, Role.AGENCY_LEAD, Role.PANEL_COORDINATOR)
    )
    requests = _request_figures(user, roles) if needs_requests else {}
    runs = roles.has(Role.PANEL_COORDINATOR) or roles.has(Role.PANEL_CHAIR)
    meetings = _meetings_run(user) if runs else []

    sections = []
    if roles.has(Role.REFERRER):
        sections.append(_referrer(referrals, actions, requests))
    if roles.has(Role.AGENCY_LEAD):
        sections.append(_agency_lead(user, referrals, actions, requests))
    if roles.has(Role.PANEL_COORDINATOR):
        sections.append(_coordinator(user, referrals, requests, meetings))
    if roles.has(Role.PANEL_CHAIR):
        sections.append(_chair(user, actions, meetings))
    if roles.has(Role.PANEL_MEMBER):
        sections.append(_panel_member(user, actions))
    if roles.has(Role.BOARD_MEMBER):
        sections.append(_board_member(user))
    if roles.has(Role.QUALITY_AUDITOR):
        sections.append(_auditor(referrals))
    if roles.has(Role.DATA_PROTECTION_OFFICER):
        sections.append(_data_protection_officer(user))
    if roles.has(Role.SYSTEM_ADMINISTRATOR):
        sections.append(_administrator(user))
    return sections


def _referrer(referrals, actions, requests) -> Section:
    return Section(
        "referrer",
        "Your referrals",
        [
            Item(
                "Referrals you made that are still open",
                referrals["mine_live"],
                _url("referrals:list", made_by_me="on", state="open"),
                note=f"{referrals['mine_waiting']} waiting for a screening decision",
            ),
            Item(
                "Referrals you made that have a decision",
                referrals["mine_decided"],
                _url("referrals:list", made_by_me="on", state="decided"),
            ),
            Item("Draft referrals to finish", referrals["drafts"], reverse("referrals:drafts")),
            Item(
                "Contributions asked of your agency",
                requests["ours"],
                _url("referrals:list", waiting="us"),
                deadline=requests["ours_oldest"],
                when="Oldest asked",
            ),
            Item(
                "Your open actions",
                actions["mine"],
                _url("actions:list", view="mine"),
                deadline=actions["mine_next"],
                overdue=actions["mine_overdue"],
            ),
        ],
    )


def _agency_lead(user, referrals, actions, requests) -> Section:
    grants = _grants_waiting(user)
    return Section(
        "agency_lead",
        "Your agency",
        [
            Item(
                "Your agency's open referrals",
                referrals["ours_live"],
                _url("referrals:list", my_agency="on", state="open"),
                deadline=referrals["ours_next_due"],
                note=f"{referrals['ours_waiting']} waiting for a screening decision",
            ),
            Item(
                "Requests waiting for your agency's contribution",
                requests["ours"],
                _url("referrals:list", waiting="us"),
                deadline=requests["ours_oldest"],
                when="Oldest asked",
            ),
            Item(
                "Your agency's open actions",
                actions["ours"],
                _url("actions:list", view="agency"),
                deadline=actions["ours_next"],
                overdue=actions["ours_overdue"],
            ),
            Item("Grants of access waiting for your approval", grants, reverse("manage:approvals")),
        ],
    )


def _coordinator(user, referrals, requests, meetings) -> Section:
    queue_ids = access.visible_referrals(user).filter(state__in=QUEUE_STATES)
    matches = (
        ChildMatch.objects.of_referred_children()
        .filter(status=MatchStatus.SUGGESTED, referral__in=queue_ids)
        .count()
    )
    coordinated = [m for m in meetings if access.can_edit_minutes(user, m)]
    upcoming = [m for m in coordinated if m.status != MeetingStatus.CLOSED]
    to_draft = [
        m
        for m in coordinated
        if m.status == MeetingStatus.CLOSED
        and (
            not _has_minutes(m) or m.minutes.status in (MinutesStatus.DRAFT, MinutesStatus.RETURNED)
        )
    ]
    items = [
        Item(
            "Referrals in the screening queue",
            referrals["queue"],
            reverse("referrals:screening-queue"),
            deadline=referrals["queue_next_due"],
            overdue=referrals["queue_overdue"],
        ),
        Item("Suggested matches to confirm", matches, reverse("referrals:screening-queue")),
        Item(
            "Contributions still missing",
            requests["all"],
            _url("referrals:list", waiting="any"),
            deadline=requests["oldest"],
            when="Oldest asked",
        ),
        Item(
            "Minutes to draft",
            len(to_draft),
            reverse("minutes:page", args=[to_draft[0].pk])
            if to_draft
            else reverse("panels:meeting-list"),
            deadline=to_draft[0].closed_at if to_draft else None,
            when="Meeting closed",
        ),
    ]
    items += [_meeting_item(meeting) for meeting in upcoming[:3]]
    if not upcoming:
        items.append(Item("Meetings coming up", 0, reverse("panels:meeting-list")))
    return Section("coordinator", "Panel coordination", items)


def _has_minutes(meeting) -> bool:
    return hasattr(meeting, "minutes")


def _meeting_item(meeting) -> Item:
    return Item(
        f"cases on the agenda of the next meeting of {meeting.panel.name}",
        meeting.cases,
        reverse("panels:meeting", args=[meeting.pk]),
        deadline=meeting.starts_at,
        when="In progress since" if meeting.status == MeetingStatus.IN_PROGRESS else "Starts",
    )


def _chair(user, actions, meetings) -> Section:
    chaired = [m for m in meetings if access.can_approve_minutes(user, m)]
    upcoming = [m for m in chaired if m.status != MeetingStatus.CLOSED]
    to_approve = [
        m
        for m in chaired
        if m.status == MeetingStatus.CLOSED
        and _has_minutes(m)
        and m.minutes.status == MinutesStatus.SUBMITTED
    ]
    items = [_meeting_item(upcoming[0])] if upcoming else []
    if not upcoming:
        items.append(Item("Meetings coming up", 0, reverse("panels:meeting-list")))
    items += [
        Item(
            "Minutes waiting for your approval",
            len(to_approve),
            reverse("minutes:page", args=[to_approve[0].pk])
            if to_approve
            else reverse("panels:meeting-list"),
            deadline=to_approve[0].minutes.changed_at if to_approve else None,
            when="Sent to you",
        ),
        Item(
            "Overdue actions of the panels you run",
            actions["panels_overdue"],
            _url("actions:list", view="panels", overdue="1"),
            deadline=actions["panels_oldest"],
            overdue=actions["panels_overdue"],
        ),
    ]
    return Section("chair", "Chairing panels", items)


def _panel_member(user, actions) -> Section:
    meetings = list(
        access.meetings_visible_to(user)
        .exclude(status=MeetingStatus.CLOSED)
        .select_related("panel")
        .order_by("starts_at")[:3]
    )
    items = [
        Item(
            f"{meeting.panel.name}: meeting you are invited to",
            1,
            reverse("panels:meeting", args=[meeting.pk]),
            deadline=meeting.starts_at,
            when="Starts",
        )
        for meeting in meetings
    ]
    if not meetings:
        items.append(Item("Meetings you are invited to", 0, reverse("panels:meeting-list")))
    items.append(
        Item(
            "Your open actions",
            actions["mine"],
            _url("actions:list", view="mine"),
            deadline=actions["mine_next"],
            overdue=actions["mine_overdue"],
        )
    )
    return Section("panel_member", "Your panels", items)


def _board_member(user) -> Section:
    copies = access.board_copies_visible_to(user).aggregate(
        count=Count("pk"), latest=Min("version__minutes__meeting__starts_at")
    )
    return Section(
        "board_member",
        "Board papers",
        [
            Item(
                "Approved minutes of the panels you oversee",
                copies["count"],
                reverse("minutes:board-papers"),
            )
        ],
    )


def _auditor(referrals) -> Section:
    return Section(
        "auditor",
        "Quality assurance",
        [
            Item(
                "Live cases you have not yet reviewed",
                referrals["to_review"],
                _url("referrals:list", review="to_review"),
                deadline=referrals["review_oldest"],
                when="Oldest received",
            )
        ],
    )


def _data_protection_officer(user) -> Section:
    if not access.can_look_up_audit_trails(user):
        return Section("data_protection_officer", "Data protection", [])
    now = timezone.now()
    figures = AuditEvent.objects.order_by().aggregate(
        break_glass=Count(
            "pk",
            filter=Q(action=AuditAction.BREAK_GLASS, at__gte=now - BREAK_GLASS_LOOKBACK),
        ),
        refused=Count("pk", filter=Q(action=AuditAction.REFUSED, at__gte=now - REFUSALS_LOOKBACK)),
    )
    return Section(
        "data_protection_officer",
        "Data protection",
        [
            Item(
                "Break-glass uses in the last 30 days",
                figures["break_glass"],
                _url("referrals:audit-lookup", action=AuditAction.BREAK_GLASS, days="30"),
            ),
            Item(
                "Access refused in the last 7 days",
                figures["refused"],
                _url("referrals:audit-lookup", action=AuditAction.REFUSED, days="7"),
            ),
        ],
    )


def _administrator(user) -> Section:
    grants = _grants_waiting(user)
    return Section(
        "administrator",
        "Administration",
        [Item("Grants of access waiting for approval", grants, reverse("manage:approvals"))],
    )
