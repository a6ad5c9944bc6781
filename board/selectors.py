"""The board's figures, counted from the records on every read (never stored counters), for
what the person oversees (access.dashboard_oversight) narrowed by panel, agency and period.

Each figure is a `Figure`: a table of aggregates (no child is named anywhere: no name, date
of birth, address, school or reference), and the series its chart draws. The dashboard costs
the same number of queries whatever the size of the data: one or two per figure.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

import access
from agencies.models import Agency, Team
from board.periods import Period
from casework import selectors as casework_selectors
from casework.models import Allocation, CaseReview, Grade
from casework.repeats import is_repeat, submissions_by_child, twelve_months_before
from missing.models import ReturnInterview
from panels.models import (
    Action,
    ActionStatus,
    AgendaItem,
    AgendaItemKind,
    MeetingStatus,
    Panel,
)
from referrals.clocks import is_working_day, working_days_between, working_time_left
from referrals.models import Category, ContributionRequest, Referral


@dataclass(frozen=True)
class Filters:
    oversight: access.Oversight
    period: Period
    panel_id: int | None = None
    agency_id: int | None = None


@dataclass
class Figure:
    key: str
    title: str
    header: list[str]
    rows: list[list]
    # (label, value) pairs the chart draws, with its unit; empty: the table alone.
    chart: list[tuple[str, float]] = field(default_factory=list)
    unit: str = ""
    target: float | None = None
    note: str = ""


# --- Scope ------------------------------------------------------------------------------------


def _scoped(queryset: QuerySet, filters: Filters, *, panel: str, agency: str) -> QuerySet:
    """Records of a panel the person oversees or an agency they lead, then the filters."""
    o = filters.oversight
    queryset = queryset.filter(
        Q(**{f"{panel}__in": list(o.panel_ids)}) | Q(**{f"{agency}__in": list(o.agency_ids)})
    )
    if filters.panel_id:
        queryset = queryset.filter(**{panel: filters.panel_id})
    if filters.agency_id:
        queryset = queryset.filter(**{agency: filters.agency_id})
    return queryset


def scoped_referrals(filters: Filters) -> QuerySet[Referral]:
    return _scoped(Referral.objects.left_draft(), filters, panel="hub_id", agency="agency_id")


def filter_choices(oversight: access.Oversight) -> tuple[list[Panel], list[Agency]]:
    """The panels and agencies a person may narrow to (two queries)."""
    panels = list(Panel.objects.filter(pk__in=list(oversight.panel_ids)).order_by("name"))
    agencies = Agency.objects.filter(is_active=True)
    if not oversight.panel_ids:
        agencies = agencies.filter(pk__in=list(oversight.agency_ids))
    return panels, list(agencies.order_by("name"))


# --- Helpers ----------------------------------------------------------------------------------


def _columns(period: Period) -> list[str]:
    months = [m.label for m in period.months]
    quarters = [q.label for q in period.quarters] if len(period.quarters) > 1 else []
    return [*months, *quarters, "Total"]


def _spread(period: Period, moments: list[datetime]) -> list[int]:
    """Counts per month, per quarter (a year), and the total, of the moments in the period."""
    per_month = Counter(period.month_of(m) for m in moments)
    per_quarter = Counter(period.quarter_of(m) for m in moments)
    row = [per_month[m] for m in period.months]
    if len(period.quarters) > 1:
        row += [per_quarter[q] for q in period.quarters]
    return [*row, sum(per_month[m] for m in period.months)]


def _spans(period: Period):
    """Each month, then each quarter of a year, then the whole period."""
    yield from period.months
    if len(period.quarters) > 1:
        yield from period.quarters
    yield period.span


class WorkingDaysTo:
    """Working days from many dates to one day, from one pass over the calendar: counting
    day by day for each row (`working_days_between`) costs the width of the range per row,
    which at five years of open actions is most of the page's time. Same answers."""

    def __init__(self, end: date, earliest: date | None):
        self.end = end
        self.after: dict[date, int] = {}
        if earliest is None or earliest >= end:
            return
        count = 0
        day = end
        while day > earliest:
            self.after[day] = count  # working days in (day, end]
            count += is_working_day(day)
            day -= timedelta(days=1)
        self.after[earliest] = count

    def __call__(self, start: date) -> int:
        return self.after.get(start, 0) if start < self.end else 0


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "–"


def _hours(delta: timedelta | None) -> str:
    return "–" if delta is None else f"{delta.total_seconds() / 3600:.1f}"


# --- Referrals --------------------------------------------------------------------------------


def referrals_by_agency(filters: Filters) -> Figure:
    period = filters.period
    rows = (
        scoped_referrals(filters)
        .filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .values_list("agency__name", "submitted_at")
    )
    by_agency: dict[str, list] = defaultdict(list)
    for name, at in rows:
        by_agency[name].append(at)
    table = [[name, *_spread(period, ats)] for name, ats in sorted(by_agency.items())]
    return Figure(
        "referrals-by-agency",
        "Referrals by referring agency",
        ["Agency", *_columns(period)],
        table,
        chart=[(row[0], row[-1]) for row in table],
        unit="referrals",
    )


def referrals_by_category(filters: Filters) -> Figure:
    period = filters.period
    rows = (
        scoped_referrals(filters)
        .filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .values_list("categories", "submitted_at")
    )
    by_category: dict[str, list] = defaultdict(list)
    for categories, at in rows:
        for category in categories or ["(none given)"]:
            by_category[category].append(at)
    labels = dict(Category.choices)
    table = [
        [labels.get(c, c), *_spread(period, ats)]
        for c, ats in sorted(by_category.items(), key=lambda kv: labels.get(kv[0], kv[0]))
    ]
    return Figure(
        "referrals-by-category",
        "Referrals by category (a referral with two categories counts in each)",
        ["Category", *_columns(period)],
        table,
        chart=[(row[0], row[-1]) for row in table],
        unit="referrals",
    )


def screening_decisions(filters: Filters) -> Figure:
    """Decisions made in each month: how many within their clock, and the median working
    time from receipt to decision (weekends and bank holidays do not count)."""
    period = filters.period
    rows = list(
        scoped_referrals(filters)
        .filter(decided_at__gte=period.start, decided_at__lt=period.end)
        .exclude(submitted_at__isnull=True)
        .values_list("submitted_at", "decided_at", "decision_due_at")
    )
    table = []
    for span in _spans(period):
        inside = [r for r in rows if span.holds(r[1])]
        clocked = [r for r in inside if r[2] is not None]
        within = sum(1 for r in clocked if r[1] <= r[2])
        times = [working_time_left(decided, submitted) for submitted, decided, _ in inside]
        table.append(
            [
                span.label,
                len(inside),
                within,
                _percent(within, len(clocked)),
                _hours(median(times) if times else None),
            ]
        )
    return Figure(
        "screening-decisions",
        "Screening decisions within their clock",
        ["Period", "Decisions", "Within clock", "Share within clock", "Median working hours"],
        table,
        chart=[
            (row[0], round(100 * row[2] / row[1], 1) if row[1] else 0)
            for row in table[: len(period.months)]
        ],
        unit="% within clock",
        target=100,
    )


def repeat_referrals(filters: Filters) -> Figure:
    """Referrals of a child referred before within 12 months, counted in the month of the
    repeat (an earlier referral outside what the person oversees still makes it a repeat)."""
    period = filters.period
    rows = list(
        scoped_referrals(filters)
        .filter(submitted_at__gte=period.start, submitted_at__lt=period.end)
        .values_list("child_id", "submitted_at")
    )
    earlier = submissions_by_child(
        {child for child, _ in rows}, since=twelve_months_before(period.start), until=period.end
    )
    repeats = [at for child, at in rows if is_repeat(at, earlier.get(child, []))]
    all_ats = [at for _, at in rows]
    table = []
    for span in _spans(period):
        n = sum(1 for at in all_ats if span.holds(at))
        r = sum(1 for at in repeats if span.holds(at))
        table.append([span.label, n, r, _percent(r, n)])
    return Figure(
        "repeat-referrals",
        "Repeat referrals (the same child within 12 months)",
        ["Period", "Referrals", "Repeats", "Repeat rate"],
        table,
        chart=[(row[0], row[2]) for row in table[: len(period.months)]],
        unit="repeats",
    )


def children_at_panel(filters: Filters) -> Figure:
    """Different children discussed at panel meetings held in each month (a child discussed
    twice in a quarter counts once in it)."""
    period = filters.period
    items = _scoped(
        AgendaItem.objects.filter(
            kind=AgendaItemKind.CASE,
            referral__isnull=False,
            withdrawn_at__isnull=True,
            meeting__status__in=[MeetingStatus.IN_PROGRESS, MeetingStatus.CLOSED],
            meeting__starts_at__gte=period.start,
            meeting__starts_at__lt=period.end,
        ),
        filters,
        panel="meeting__panel_id",
        agency="referral__agency_id",
    ).values_list("referral__child_id", "meeting__starts_at", "meeting_id")
    rows = list(items)
    table = []
    for span in _spans(period):
        inside = [r for r in rows if span.holds(r[1])]
        table.append([span.label, len({r[0] for r in inside}), len({r[2] for r in inside})])
    return Figure(
        "children-at-panel",
        "Children discussed at panel",
        ["Period", "Children discussed", "Meetings held"],
        table,
        chart=[(row[0], row[1]) for row in table[: len(period.months)]],
        unit="children",
    )


# --- Actions and contributions ----------------------------------------------------------------


def actions_by_agency(filters: Filters, *, today: date | None = None) -> Figure:
    """Per owning agency: actions opened and completed in the period, completed after their
    due date, and overdue on the period's last day (or today), with the average working days
    overdue. Cancelled and carried-forward rows are not counted as overdue (the row they
    were carried to is)."""
    period = filters.period
    as_of = period.as_of(today)
    as_of_end = timezone.make_aware(
        datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    )
    actions = (
        _scoped(Action.objects.all(), filters, panel="meeting__panel_id", agency="owner_agency_id")
        .filter(created_at__lt=period.end)
        .annotate(done_at=Max("updates__at", filter=Q(updates__to_status=ActionStatus.DONE)))
        .filter(
            Q(created_at__gte=period.start)
            | Q(done_at__gte=period.start)
            | Q(done_at__isnull=True, status__in=[ActionStatus.OPEN, ActionStatus.IN_PROGRESS])
        )
        .values_list("owner_agency__name", "created_at", "due_date", "status", "done_at")
    )
    tally: dict[str, dict] = defaultdict(
        lambda: {"opened": 0, "done": 0, "late": 0, "overdue": 0, "days": 0}
    )
    actions = list(actions)
    days_to_as_of = WorkingDaysTo(as_of, min((row[2] for row in actions), default=None))
    for agency, created, due, status, done_at in actions:
        t = tally[agency]
        if period.span.holds(created):
            t["opened"] += 1
        if period.span.holds(done_at):
            t["done"] += 1
            if timezone.localdate(done_at) > due:
                t["late"] += 1
        open_then = done_at is None or done_at >= as_of_end
        counted = status not in (ActionStatus.CANCELLED, ActionStatus.CARRIED_FORWARD)
        if counted and open_then and created < as_of_end and due < as_of:
            t["overdue"] += 1
            t["days"] += days_to_as_of(due)
    table = [
        [
            agency,
            t["opened"],
            t["done"],
            t["late"],
            t["overdue"],
            f"{t['days'] / t['overdue']:.1f}" if t["overdue"] else "–",
        ]
        for agency, t in sorted(tally.items())
    ]
    return Figure(
        "actions-by-agency",
        f"Panel actions by owning agency (overdue on {as_of:%d %B %Y})",
        [
            "Agency",
            "Opened",
            "Completed",
            "Completed late",
            "Overdue",
            "Average working days overdue",
        ],
        table,
        chart=[(row[0], row[4]) for row in table],
        unit="overdue actions",
    )


def contributions_waiting(filters: Filters, *, today: date | None = None) -> Figure:
    """Requests for an agency's information not yet answered or declined, by agency, now."""
    today = today or timezone.localdate()
    rows = _scoped(
        ContributionRequest.objects.filter(answered_at__isnull=True, declined_reason=""),
        filters,
        panel="referral__hub_id",
        agency="agency_id",
    ).values_list("agency__name", "requested_at")
    tally: dict[str, list[int]] = defaultdict(list)
    for agency, at in rows:
        tally[agency].append(working_days_between(timezone.localdate(at), today))
    table = [
        [agency, len(ages), f"{sum(ages) / len(ages):.1f}", max(ages)]
        for agency, ages in sorted(tally.items())
    ]
    return Figure(
        "contributions-waiting",
        "Requests for information waiting, by agency (now)",
        ["Agency", "Waiting", "Average working days waiting", "Longest"],
        table,
        chart=[(row[0], row[1]) for row in table],
        unit="requests",
    )


# --- Caseloads --------------------------------------------------------------------------------


def _scoped_allocations(filters: Filters) -> QuerySet[Allocation]:
    return _scoped(
        Allocation.objects.filter(ended_at__isnull=True),
        filters,
        panel="referral__hub_id",
        agency="team__agency_id",
    )


def caseload_figures(filters: Filters) -> tuple[Figure, Figure]:
    """Per team and per worker, live cases now against the team's target per worker."""
    live = _scoped_allocations(filters)
    teams = Team.objects.filter(
        Q(pk__in=live.values("team_id")) | Q(agency_id__in=list(filters.oversight.agency_ids))
    )
    if filters.agency_id:
        teams = teams.filter(agency_id=filters.agency_id)
    loads = casework_selectors.caseloads(teams, live=live)
    team_table = [
        [t.name, t.agency, len(t.workers), t.cases, t.target, t.average, t.over_target]
        for t in loads
    ]
    worker_table = [
        [t.name, w.name, w.cases, w.target, w.over, w.state] for t in loads for w in t.workers
    ]
    return (
        Figure(
            "caseload-teams",
            "Caseload per team (now)",
            [
                "Team",
                "Agency",
                "Workers",
                "Live cases",
                "Target per worker",
                "Average per worker",
                "Workers over target",
            ],
            team_table,
            chart=[(row[0], row[5]) for row in team_table],
            unit="cases per worker",
            target=max((t.target for t in loads), default=None),
        ),
        Figure(
            "caseload-workers",
            "Caseload per worker against target (now)",
            ["Team", "Worker", "Live cases", "Target", "Over target by", "Against target"],
            worker_table,
        ),
    )


def unallocated(filters: Filters, *, today: date | None = None) -> Figure:
    """Live cases with no worker now, by age in working days (no case is named)."""
    cases = casework_selectors.unallocated_cases(scoped_referrals(filters), today=today)
    bands = [("Up to 5 working days", 0, 5), ("6 to 20", 6, 20), ("Over 20", 21, 10**6)]
    table = [
        [label, sum(1 for c in cases if low <= c.age_working_days <= high)]
        for label, low, high in bands
    ]
    table.append(["All unallocated", len(cases)])
    return Figure(
        "unallocated",
        "Unallocated live cases by age (now)",
        ["Age", "Cases"],
        table,
        chart=[(row[0], row[1]) for row in table[:-1]],
        unit="cases",
        note=f"Oldest: {cases[0].age_working_days} working days." if cases else "",
    )


# --- Quality assurance ------------------------------------------------------------------------


def _scoped_reviews(filters: Filters) -> QuerySet[CaseReview]:
    period = filters.period
    return _scoped(
        CaseReview.objects.filter(graded_at__gte=period.start, graded_at__lt=period.end),
        filters,
        panel="referral__hub_id",
        agency="team__agency_id",
    )


def qa_grades(filters: Filters) -> Figure:
    rows = list(_scoped_reviews(filters).values_list("grade", "graded_at"))
    period = filters.period
    table = []
    for grade in Grade:
        ats = [at for g, at in rows if g == grade]
        table.append([grade.label, *_spread(period, ats)])
    return Figure(
        "qa-grades",
        "Independent case reviews by grade",
        ["Grade", *_columns(period)],
        table,
        chart=[(row[0], row[-1]) for row in table],
        unit="reviews",
    )


def qa_themes(filters: Filters) -> Figure:
    rows = _scoped_reviews(filters).filter(themes__isnull=False).values_list("themes__name")
    tally = Counter(name for (name,) in rows)
    table = [[name, n] for name, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]
    return Figure(
        "qa-themes",
        "Themes tagged by reviewers",
        ["Theme", "Reviews"],
        table,
        chart=[(row[0], row[1]) for row in table],
        unit="reviews",
    )


def return_interviews(filters: Filters) -> Figure:
    """Return home interviews falling due in each month (72 clock hours from the return):
    how many were offered and how many held by their clock. In scope: the interviews of a
    team of an agency the person leads, or of a child referred to a panel they oversee."""
    period = filters.period
    rows = list(
        _scoped(
            ReturnInterview.objects.all(),
            filters,
            panel="episode__child__referrals__hub_id",
            agency="team__agency_id",
        )
        .filter(due_at__gte=period.start, due_at__lt=period.end)
        .values_list("pk", "due_at", "offered_at", "held_at")
        .distinct()
    )
    table = []
    for span in _spans(period):
        inside = [r for r in rows if span.holds(r[1])]
        offered = sum(1 for _, due, off, _held in inside if off is not None and off <= due)
        held = sum(1 for _, due, _off, held_at in inside if held_at is not None and held_at <= due)
        table.append(
            [
                span.label,
                len(inside),
                offered,
                _percent(offered, len(inside)),
                held,
                _percent(held, len(inside)),
            ]
        )
    return Figure(
        "return-interviews",
        "Return home interviews offered and held within 72 hours",
        ["Period", "Due", "Offered in time", "Share offered", "Held in time", "Share held"],
        table,
        chart=[
            (row[0], round(100 * row[4] / row[1], 1) if row[1] else 0)
            for row in table[: len(period.months)]
        ],
        unit="% held within 72 hours",
        target=100,
    )


# --- The whole dashboard ----------------------------------------------------------------------


def dashboard(filters: Filters, *, today: date | None = None) -> list[Figure]:
    """Every figure of the board's dashboard, in the order the page shows them."""
    teams, workers = caseload_figures(filters)
    return [
        referrals_by_agency(filters),
        referrals_by_category(filters),
        screening_decisions(filters),
        repeat_referrals(filters),
        children_at_panel(filters),
        actions_by_agency(filters, today=today),
        contributions_waiting(filters, today=today),
        teams,
        workers,
        unallocated(filters, today=today),
        return_interviews(filters),
        qa_grades(filters),
        qa_themes(filters),
    ]


FIGURE_KEYS = [
    "referrals-by-agency",
    "referrals-by-category",
    "screening-decisions",
    "repeat-referrals",
    "children-at-panel",
    "actions-by-agency",
    "contributions-waiting",
    "caseload-teams",
    "caseload-workers",
    "unallocated",
    "return-interviews",
    "qa-grades",
    "qa-themes",
]
