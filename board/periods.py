"""The periods the board reads figures over: a calendar quarter ("2026-Q1") or a calendar
year ("2026"), each cut into months and quarters, in Europe/London wall-clock time."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone


@dataclass(frozen=True)
class Span:
    label: str
    start: datetime  # inclusive
    end: datetime  # exclusive

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: datetime
    end: datetime
    months: tuple[Span, ...]
    quarters: tuple[Span, ...]

    @property
    def span(self) -> Span:
        return Span(self.label, self.start, self.end)

    def month_of(self, moment: datetime) -> Span | None:
        return next((m for m in self.months if m.holds(moment)), None)

    def quarter_of(self, moment: datetime) -> Span | None:
        return next((q for q in self.quarters if q.holds(moment)), None)

    def as_of(self, today: date | None = None) -> date:
        """The day overdue figures are read on: the period's last day, or today if sooner."""
        today = today or timezone.localdate()
        last = date.fromordinal(timezone.localtime(self.end).date().toordinal() - 1)
        return min(today, last)


def _at(year: int, month: int) -> datetime:
    while month > 12:
        year, month = year + 1, month - 12
    return timezone.make_aware(datetime(year, month, 1))


def _month(year: int, month: int) -> Span:
    start = _at(year, month)
    return Span(start.strftime("%b %Y"), start, _at(year, month + 1))


def _quarter(year: int, q: int) -> Span:
    return Span(f"Q{q} {year}", _at(year, 3 * q - 2), _at(year, 3 * q + 1))


PATTERN = re.compile(r"^(?P<year>20\d\d)(?:-Q(?P<q>[1-4]))?$")


def period_from(key: str | None, *, today: date | None = None) -> Period:
    """The period a key names; the last complete quarter when the key is missing or wrong."""
    match = PATTERN.match(key or "")
    if match is None:
        today = today or timezone.localdate()
        q = (today.month - 1) // 3  # the quarter before this one
        year, q = (today.year - 1, 4) if q == 0 else (today.year, q)
        return period_from(f"{year}-Q{q}")
    year, q = int(match["year"]), match["q"]
    if q:
        quarter = _quarter(year, int(q))
        months = tuple(_month(year, 3 * int(q) - 2 + i) for i in range(3))
        return Period(key, quarter.label, quarter.start, quarter.end, months, (quarter,))
    months = tuple(_month(year, m) for m in range(1, 13))
    quarters = tuple(_quarter(year, q) for q in range(1, 5))
    return Period(key, str(year), _at(year, 1), _at(year, 13), months, quarters)


def recent_periods(*, today: date | None = None, years: int = 3) -> list[tuple[str, str]]:
    """(key, label) choices: each quarter and year of the last few years, newest first."""
    today = today or timezone.localdate()
    choices = []
    for year in range(today.year, today.year - years, -1):
        for q in range(4, 0, -1):
            if (year, 3 * q - 2) <= (today.year, today.month):
                choices.append((f"{year}-Q{q}", f"Q{q} {year}"))
        choices.append((str(year), f"{year} (whole year)"))
    return choices


QUARTER = re.compile(r"^(?P<year>20\d\d)-?[Qq](?P<q>[1-4])$")


def quarter_key(text: str | None) -> str | None:
    """ "2026-Q3" for "2026Q3" or "2026-Q3" (a report's quarter); None for anything else."""
    match = QUARTER.match((text or "").strip())
    return f"{match['year']}-Q{match['q']}" if match else None


def last_complete_quarter(*, today: date | None = None) -> str:
    return period_from(None, today=today).key


def ended_quarters(*, today: date | None = None, count: int = 8) -> list[tuple[str, str]]:
    """(key, label) of the last `count` quarters that have ended, newest first: a report is
    made of a quarter once it is over."""
    year, q = (int(part) for part in last_complete_quarter(today=today).split("-Q"))
    choices = []
    for _ in range(count):
        choices.append((f"{year}-Q{q}", f"Q{q} {year}"))
        year, q = (year - 1, 4) if q == 1 else (year, q - 1)
    return choices


def has_ended(key: str, *, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return timezone.localtime(period_from(key).end).date() <= today
