"""The themes report for the board: the grades of independent case reviews and the themes
reviewers tagged, month by month over a period, teams and agencies benchmarked against each
other, and the learning actions the themes started. Read from casework's reviews over what
the person oversees (as the dashboard's figures); no case, child or worker is named: teams
and agencies only. Four queries whatever the size of the data."""

from collections import Counter, defaultdict

from django.db.models import QuerySet

from board.selectors import Figure, Filters, _columns, _percent, _scoped_reviews, _spans, _spread
from casework.models import Grade, LearningAction

GRADES = list(Grade)


def _graded(filters: Filters) -> QuerySet:
    return _scoped_reviews(filters).exclude(grade="")


def _good(counts: Counter) -> int:
    return counts[Grade.OUTSTANDING] + counts[Grade.GOOD]


def grades_over_time(filters: Filters, rows: list) -> Figure:
    """Reviews graded in each month (and quarter, and the period), by grade, with the share
    graded good or better."""
    table, shares = [], []
    for span in _spans(filters.period):
        counts = Counter(grade for grade, at, *_ in rows if span.holds(at))
        total = sum(counts.values())
        table.append(
            [span.label, *[counts[g] for g in GRADES], total, _percent(_good(counts), total)]
        )
        if total:  # a month with no review has no share (a 0 would read as all poor)
            shares.append((span, round(100 * _good(counts) / total, 1)))
    return Figure(
        "themes-grades",
        "Independent case reviews by grade over time",
        ["Period", *[g.label for g in GRADES], "Reviewed", "Good or better"],
        table,
        chart=[(span.label, share) for span, share in shares if span in filters.period.months],
        unit="% good or better",
        target=100,
    )


def themes_over_time(filters: Filters) -> Figure:
    """Reviews tagged with each theme, per month (and quarter) of the period."""
    tagged = _graded(filters).filter(themes__isnull=False).values_list("themes__name", "graded_at")
    by_theme: dict[str, list] = defaultdict(list)
    for name, at in tagged:
        by_theme[name].append(at)
    table = [
        [name, *_spread(filters.period, ats)]
        for name, ats in sorted(by_theme.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    ]
    return Figure(
        "themes-over-time",
        "Themes tagged by reviewers over time",
        ["Theme", *_columns(filters.period)],
        table,
        chart=[(row[0], row[-1]) for row in table],
        unit="reviews tagged",
    )


def benchmark(rows: list, *, by: str) -> Figure:
    """Teams (or agencies) side by side: reviews by grade and the share good or better,
    best share first."""
    index = {"team": 2, "agency": 3}[by]
    found: dict[str, Counter] = defaultdict(Counter)
    for row in rows:
        found[row[index]][row[0]] += 1
    marks = sorted(
        found.items(),
        key=lambda kv: (-_good(kv[1]) / sum(kv[1].values()), kv[0]),
    )
    table = [
        [
            name,
            sum(counts.values()),
            *[counts[g] for g in GRADES],
            _percent(_good(counts), sum(counts.values())),
        ]
        for name, counts in marks
    ]
    noun = {"team": "Team", "agency": "Agency"}[by]
    return Figure(
        f"benchmark-{by}",
        f"Benchmark: grades by {noun.lower()}",
        [noun, "Reviewed", *[g.label for g in GRADES], "Good or better"],
        table,
        chart=[
            (name, round(100 * _good(counts) / sum(counts.values()), 1)) for name, counts in marks
        ],
        unit="% good or better",
        target=100,
    )


def learning_from_themes(filters: Filters, theme_names: set[str]) -> Figure:
    """The learning actions on the themes found in the period: what kind, when due, whether
    done (their text is the auditor's own words and stays on the auditor's page)."""
    actions = (
        LearningAction.objects.filter(theme__name__in=sorted(theme_names))
        .order_by("due_date", "pk")
        .values_list("theme__name", "kind", "due_date", "status")
    )
    kinds = dict(LearningAction._meta.get_field("kind").choices)
    states = dict(LearningAction._meta.get_field("status").choices)
    table = [
        [theme, kinds.get(kind, kind), f"{due:%d %b %Y}", states.get(status, status)]
        for theme, kind, due, status in actions
    ]
    return Figure(
        "learning-actions",
        "Learning actions started from these themes",
        ["Theme", "Kind", "Due", "Status"],
        table,
    )


def themes_report(filters: Filters) -> list[Figure]:
    """Every figure of the themes report, in the order the page and the PDF show them."""
    rows = list(
        _graded(filters).values_list("grade", "graded_at", "team__name", "team__agency__name")
    )
    themes = themes_over_time(filters)
    return [
        grades_over_time(filters, rows),
        themes,
        benchmark(rows, by="team"),
        benchmark(rows, by="agency"),
        learning_from_themes(filters, {row[0] for row in themes.rows}),
    ]
