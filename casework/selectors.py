"""Reads of casework: caseloads against target, unallocated live cases with their age, a
case's allocation history, reviews, and the quality overview (grades and themes over time,
teams and agencies benchmarked). Figures are counted from the records on every read."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

import access
from agencies.models import Team
from casework.models import (
    DEFAULT_CASELOAD_TARGET,
    LIVE_STATES,
    Allocation,
    CaseReview,
    Grade,
    ReviewStatus,
)
from referrals.clocks import working_days_between
from referrals.models import Referral


@dataclass
class WorkerLoad:
    name: str
    cases: int
    target: int

    @property
    def over(self) -> int:
        return max(0, self.cases - self.target)

    @property
    def state(self) -> str:
        if self.cases > self.target:
            return "over"
        if 10 * self.cases >= 9 * self.target:  # within 10% of the target
            return "near"
        return "within"


@dataclass
class TeamLoad:
    team_id: int
    name: str
    agency: str
    target: int
    workers: list[WorkerLoad] = field(default_factory=list)

    @property
    def cases(self) -> int:
        return sum(w.cases for w in self.workers)

    @property
    def average(self) -> float:
        return round(self.cases / len(self.workers), 1) if self.workers else 0.0

    @property
    def over_target(self) -> int:
        return sum(1 for w in self.workers if w.cases > w.target)


def caseloads(teams: QuerySet[Team], *, live: QuerySet[Allocation] | None = None) -> list[TeamLoad]:
    """Each team's live cases per worker against its target (three queries, however many
    teams): workers with no case count too, and a worker who left keeps the cases still
    allocated to them."""
    teams = list(teams.select_related("agency", "caseload_target").order_by("agency__name", "name"))
    ids = [t.pk for t in teams]
    live = live if live is not None else Allocation.objects.filter(ended_at__isnull=True)
    counts = (
        live.filter(team_id__in=ids)
        .values(
            "team_id", "worker_id", "worker__first_name", "worker__last_name", "worker__username"
        )
        .annotate(n=Count("pk"))
    )
    workers = (
        access.worker_seats(ids)
        .values_list("team_id", "user_id", "user__first_name", "user__last_name", "user__username")
        .distinct()
    )
    by_team: dict[int, dict[int, list]] = defaultdict(dict)
    for team_id, user_id, first, last, username in workers:
        by_team[team_id][user_id] = [_name(first, last, username), 0]
    for row in counts:
        entry = by_team[row["team_id"]].setdefault(
            row["worker_id"],
            [
                _name(row["worker__first_name"], row["worker__last_name"], row["worker__username"]),
                0,
            ],
        )
        entry[1] += row["n"]
    result = []
    for team in teams:
        target = _target(team)
        loads = sorted(
            (WorkerLoad(name, n, target) for name, n in by_team[team.pk].values()),
            key=lambda w: (-w.cases, w.name),
        )
        result.append(TeamLoad(team.pk, team.name, team.agency.name, target, loads))
    return result


def _target(team: Team) -> int:
    try:
        return team.caseload_target.per_worker
    except Team.caseload_target.RelatedObjectDoesNotExist:
        return DEFAULT_CASELOAD_TARGET


def _name(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


@dataclass
class Unallocated:
    referral_id: int
    reference: str
    rag: str
    since: date
    age_working_days: int


def unallocated_cases(referrals: QuerySet[Referral], *, today: date | None = None) -> list:
    """Live cases among `referrals` with no live allocation, oldest first, with their age in
    working days since they went on (their decision, or submission if none)."""
    today = today or timezone.localdate()
    rows = (
        referrals.filter(state__in=LIVE_STATES)
        .exclude(pk__in=Allocation.objects.filter(ended_at__isnull=True).values("referral_id"))
        .values_list("pk", "reference", "rag", "decided_at", "submitted_at", "created_at")
    )
    found = []
    ages: dict[date, int] = {}  # many cases share a day: count each day's age once
    for pk, reference, rag, decided, submitted, created in rows:
        since = timezone.localdate(decided or submitted or created)
        if since not in ages:
            ages[since] = working_days_between(since, today)
        found.append(Unallocated(pk, reference, rag, since, ages[since]))
    return sorted(found, key=lambda u: (-u.age_working_days, u.reference))


def allocation_history(referral: Referral) -> QuerySet[Allocation]:
    return referral.allocations.select_related(
        "team", "worker", "allocated_by", "ended_by"
    ).order_by("allocated_at", "pk")


def reviews_for(user) -> QuerySet[CaseReview]:
    return (
        access.visible_reviews(user)
        .select_related("referral", "team__agency", "worker", "reviewer")
        .prefetch_related("themes")
        .order_by("-drawn_at", "-pk")
    )


# --- The quality overview ---------------------------------------------------------------------

GRADE_ORDER = list(Grade.values)


def graded_reviews(reviews: QuerySet[CaseReview] | None = None) -> QuerySet[CaseReview]:
    reviews = reviews if reviews is not None else CaseReview.objects.all()
    return reviews.exclude(status=ReviewStatus.DRAWN).exclude(graded_at__isnull=True)


def grades_by_month(reviews: QuerySet[CaseReview]) -> list[tuple[str, dict[str, int]]]:
    """(YYYY-MM, {grade: count}) for graded reviews, oldest month first (one query)."""
    months: dict[str, Counter] = defaultdict(Counter)
    for graded_at, grade in graded_reviews(reviews).values_list("graded_at", "grade"):
        months[timezone.localtime(graded_at).strftime("%Y-%m")][grade] += 1
    return [(m, {g: months[m][g] for g in GRADE_ORDER}) for m in sorted(months)]


def themes_by_month(reviews: QuerySet[CaseReview]) -> list[tuple[str, str, int]]:
    """(theme, YYYY-MM, reviews tagged) over graded reviews (one query)."""
    tally: Counter = Counter()
    for name, graded_at in graded_reviews(reviews).values_list("themes__name", "graded_at"):
        if name:
            tally[(name, timezone.localtime(graded_at).strftime("%Y-%m"))] += 1
    return [(name, month, n) for (name, month), n in sorted(tally.items())]


def theme_totals(reviews: QuerySet[CaseReview]) -> list[tuple[str, int]]:
    rows = (
        graded_reviews(reviews)
        .filter(themes__isnull=False)
        .values("themes__name")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n", "themes__name")
    )
    return [(row["themes__name"], row["n"]) for row in rows]


@dataclass
class Benchmark:
    name: str
    reviewed: int
    grades: dict[str, int]

    @property
    def good_or_better(self) -> int:
        """Share (whole per cent) graded outstanding or good."""
        good = self.grades.get(Grade.OUTSTANDING, 0) + self.grades.get(Grade.GOOD, 0)
        return round(100 * good / self.reviewed) if self.reviewed else 0


def benchmark(reviews: QuerySet[CaseReview], *, by: str) -> list[Benchmark]:
    """Grades per team (`by="team"`) or per agency (`by="agency"`), best share first."""
    key = {"team": "team__name", "agency": "team__agency__name"}[by]
    rows = graded_reviews(reviews).values(key, "grade").annotate(n=Count("pk"))
    found: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(GRADE_ORDER, 0))
    for row in rows:
        found[row[key]][row["grade"]] += row["n"]
    marks = [Benchmark(name, sum(g.values()), g) for name, g in found.items()]
    return sorted(marks, key=lambda b: (-b.good_or_better, b.name))


def open_required_actions(reviews: QuerySet[CaseReview]) -> int:
    return reviews.filter(Q(required_action__status="open")).count()
