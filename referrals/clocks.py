"""Working time for statutory clocks in England and Wales.

A working day is Monday to Friday, excluding England-and-Wales bank holidays. Working hours run
from a working day's start to its end, Europe/London wall-clock time, so a clock keeps counting
correctly across the BST/GMT changes. A hub sets its own start and end
(``ScreeningClocks.working_day_start`` and ``_end``); where it sets none, the settings
WORKING_DAY_START and WORKING_DAY_END apply (09:00 and 17:00 unless the environment says
otherwise). Every function that counts working time takes ``working_day=``; without it, the
settings' working day is used.

A clock counts working hours, whole working days, or hours round the clock (through nights,
weekends and bank holidays: a hub may count its red clock so). docs/clocks.md states the rules.

Every function takes and returns aware datetimes. Results are given in Django's current time
zone (``django.utils.timezone.get_current_timezone()``), whatever zone the input was in.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils import timezone
from govuk_bank_holidays.bank_holidays import BankHolidays

logger = logging.getLogger(__name__)

# Statutory clocks follow the working day in England and Wales, whatever zone a user is in.
WORKING_TIME_ZONE = ZoneInfo("Europe/London")

SATURDAY = 5


# --- The working day's hours ---------------------------------------------------------------


def format_time(value: time) -> str:
    """A time as people read it on a page: 9:00, 17:30."""
    return f"{value.hour}:{value.minute:02d}"


@dataclass(frozen=True)
class WorkingDay:
    """Working hours run from ``start`` up to ``end`` on every working day; start before end."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start >= self.end:
            raise ValueError(
                f"A working day must end after it starts, got {self.start} to {self.end}"
            )

    def __str__(self) -> str:
        return f"{format_time(self.start)} to {format_time(self.end)}"

    @property
    def length(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)


def _as_time(value: time | str, *, name: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"{name} must be a time such as 09:00, got {value!r}") from None


def working_day_bounds(start: time | None, end: time | None) -> tuple[time, time]:
    """A hub's start and end of the working day, each defaulting to its setting when blank."""
    return (
        start
        if start is not None
        else _as_time(settings.WORKING_DAY_START, name="WORKING_DAY_START"),
        end if end is not None else _as_time(settings.WORKING_DAY_END, name="WORKING_DAY_END"),
    )


def default_working_day() -> WorkingDay:
    """The working day of the settings WORKING_DAY_START and WORKING_DAY_END, read at each
    call (so a changed setting applies at once)."""
    start, end = working_day_bounds(None, None)
    if start >= end:
        raise ImproperlyConfigured("WORKING_DAY_START must be earlier than WORKING_DAY_END")
    return WorkingDay(start=start, end=end)


def _or_default(working_day: WorkingDay | None) -> WorkingDay:
    return working_day if working_day is not None else default_working_day()


# --- Working days ------------------------------------------------------------------------


@functools.cache
def _england_and_wales_bank_holidays() -> frozenset[date]:
    """England-and-Wales bank holidays from the data bundled with govuk-bank-holidays."""
    # The bundled copy, never the GOV.UK feed: deadlines must not depend on the network.
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(
        division=BankHolidays.ENGLAND_AND_WALES
    )
    return frozenset(holiday["date"] for holiday in holidays)


@functools.cache
def _years_with_bank_holiday_data() -> frozenset[int]:
    """Years for which the bundled data lists England-and-Wales bank holidays."""
    return frozenset(day.year for day in _england_and_wales_bank_holidays())


def has_bank_holiday_data(year: int) -> bool:
    """A year has bank holiday data when the bundled govuk-bank-holidays data lists any for it."""
    return year in _years_with_bank_holiday_data()


@functools.cache
def _warn_no_bank_holiday_data(year: int) -> None:
    # Once a year per process: a deadline that ignores a bank holiday is a day early.
    logger.warning(
        "No England-and-Wales bank holiday data for %s: working days there skip weekends only",
        year,
    )


def is_bank_holiday(day: date) -> bool:
    """A day is a bank holiday when the bundled data lists it for England and Wales."""
    return day in _england_and_wales_bank_holidays()


def is_working_day(day: date) -> bool:
    """A working day is a Monday to Friday that is not an England-and-Wales bank holiday.

    For a year outside the bundled govuk-bank-holidays data (2012 to 2028 in version 0.19)
    bank holidays are unknown, so only weekends count as non-working days; a warning is logged
    once per year. Upgrade govuk-bank-holidays to extend the data.
    """
    if day.weekday() >= SATURDAY:
        return False
    if not has_bank_holiday_data(day.year):
        _warn_no_bank_holiday_data(day.year)
        return True
    return not is_bank_holiday(day)


def next_working_day(day: date) -> date:
    """The next working day is the first working day strictly after ``day``."""
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def _days_from(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def working_days_between(start: date, end: date) -> int:
    """The number of working days after ``start`` up to and including ``end`` (0 if end <= start).

    Used for "overdue by N working days": a deadline on Friday is 1 working day overdue on
    Monday, and 0 over the weekend.
    """
    return sum(1 for day in _days_from(start + timedelta(days=1), end) if is_working_day(day))


# --- Working hours -----------------------------------------------------------------------


def _require_aware(value: datetime, *, name: str) -> None:
    if timezone.is_naive(value):
        raise ValueError(f"{name} must be an aware datetime, got naive {value!r}")


def _to_working_zone(value: datetime, *, name: str) -> datetime:
    _require_aware(value, name=name)
    return value.astimezone(WORKING_TIME_ZONE)


def _to_current_zone(value: datetime) -> datetime:
    return value.astimezone(timezone.get_current_timezone())


def _start_of_working_day(day: date, working_day: WorkingDay) -> datetime:
    # Working hours never contain a BST/GMT change (those happen at 01:00 on Sundays, never a
    # working day), so attaching the zone to the wall-clock time is always unambiguous.
    return datetime.combine(day, working_day.start, tzinfo=WORKING_TIME_ZONE)


def _end_of_working_day(day: date, working_day: WorkingDay) -> datetime:
    return datetime.combine(day, working_day.end, tzinfo=WORKING_TIME_ZONE)


def _is_end_of_working_day(moment: datetime, working_day: WorkingDay) -> bool:
    local = moment.astimezone(WORKING_TIME_ZONE)
    return local.time() == working_day.end and is_working_day(local.date())


def effective_receipt(received_at: datetime, *, working_day: WorkingDay | None = None) -> datetime:
    """Time received outside working hours counts from the start of the next working hours.

    Within working hours (a working day, from the working day's start up to but not including
    its end) the time is unchanged. Before the start of a working day it moves to that day's
    start; at or after the end of a working day, or on a non-working day, it moves to the start
    of the next working day. The result is in the Europe/London zone.
    """
    working_day = _or_default(working_day)
    local = _to_working_zone(received_at, name="received_at")
    day = local.date()
    if is_working_day(day):
        if local.time() < working_day.start:
            return _start_of_working_day(day, working_day)
        if local.time() < working_day.end:
            return local
    return _start_of_working_day(next_working_day(day), working_day)


def add_working_days(
    start: datetime, days: int, *, working_day: WorkingDay | None = None
) -> datetime:
    """A clock of N working days ends at the end of the Nth working day after the day of receipt.

    The day of receipt is the working day of ``effective_receipt(start)``: a referral received
    within working hours is received that day; one received before the start of a working day
    is received that day; one received at or after its end, or on a weekend or bank holiday, is
    received on the next working day. The receipt day itself is never counted, so (with working
    hours 09:00 to 17:00) a 1 working day clock for a referral received at 10:00 on Monday ends
    at 17:00 on Tuesday, and one received at 18:00 on Monday ends at 17:00 on Wednesday. A clock
    of 0 working days ends at the end of the day of receipt.
    """
    if days < 0:
        raise ValueError(f"days must not be negative, got {days}")
    working_day = _or_default(working_day)
    day = effective_receipt(start, working_day=working_day).date()
    for _ in range(days):
        day = next_working_day(day)
    return _to_current_zone(_end_of_working_day(day, working_day))


def add_working_hours(
    start: datetime, hours: float, *, working_day: WorkingDay | None = None
) -> datetime:
    """A clock of N working hours ends once N hours within working hours have passed.

    Counting starts at ``effective_receipt(start)`` and only time within working hours on
    working days counts, so (09:00 to 17:00) 4 working hours from 16:00 on a Friday end at
    12:00 on Monday, and from any time on a Saturday end at 13:00 on Monday. A clock that runs
    out exactly at the end of a working day ends then (17:00), not at the next day's start.
    """
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours}")
    working_day = _or_default(working_day)
    remaining = timedelta(hours=hours)
    moment = effective_receipt(start, working_day=working_day)
    while True:
        left_today = _end_of_working_day(moment.date(), working_day) - moment
        if remaining <= left_today:
            return _to_current_zone(moment + remaining)
        remaining -= left_today
        moment = _start_of_working_day(next_working_day(moment.date()), working_day)


def add_clock_hours(start: datetime, hours: float) -> datetime:
    """A clock of N hours round the clock ends N elapsed hours after ``start``: nights,
    weekends and bank holidays count, and a BST/GMT change neither adds nor removes an hour."""
    if hours < 0:
        raise ValueError(f"hours must not be negative, got {hours}")
    _require_aware(start, name="start")
    return _to_current_zone(start.astimezone(UTC) + timedelta(hours=hours))


def _working_time_between(earlier: datetime, later: datetime, working_day: WorkingDay) -> timedelta:
    """The working time between two moments is their overlap with working hours."""
    earlier = earlier.astimezone(WORKING_TIME_ZONE)
    later = later.astimezone(WORKING_TIME_ZONE)
    total = timedelta()
    for day in _days_from(earlier.date(), later.date()):
        if not is_working_day(day):
            continue
        overlap_start = max(earlier, _start_of_working_day(day, working_day))
        overlap_end = min(later, _end_of_working_day(day, working_day))
        if overlap_end > overlap_start:
            total += overlap_end - overlap_start
    return total


def working_time_left(
    deadline: datetime, now: datetime, *, working_day: WorkingDay | None = None
) -> timedelta:
    """The working time from ``now`` to ``deadline``, negative by the working time overdue."""
    _require_aware(deadline, name="deadline")
    _require_aware(now, name="now")
    working_day = _or_default(working_day)
    if now <= deadline:
        return _working_time_between(now, deadline, working_day)
    return -_working_time_between(deadline, now, working_day)


# --- Clock status for people -------------------------------------------------------------


def _plural(count: int, singular: str) -> str:
    return f"{count} {singular}" if count == 1 else f"{count} {singular}s"


def _whole_hours(duration: timedelta) -> int:
    # Rounded down: a clock must never look as if it has more time left than it has.
    return math.floor(duration / timedelta(hours=1))


def _hours_left_label(remaining: timedelta, unit: str = "working hour") -> str:
    hours = _whole_hours(remaining)
    if hours < 1:
        return f"Less than 1 {unit} left"
    return f"{_plural(hours, unit)} left"


def _overdue_label(
    *, deadline_day: date | None, today: date | None, overdue: timedelta, unit: str = "working hour"
) -> str:
    # A clock counted round the clock is overdue by hours, never by working days.
    days = working_days_between(deadline_day, today) if deadline_day and today else 0
    if days >= 1:
        return f"Overdue by {_plural(days, 'working day')}"
    if overdue <= timedelta():
        # Past the deadline but no working time since, e.g. the evening or weekend after it.
        return "Overdue"
    hours = _whole_hours(overdue)
    if hours < 1:
        return f"Overdue by less than 1 {unit}"
    return f"Overdue by {_plural(hours, unit)}"


@dataclass(frozen=True)
class ClockStatus:
    """Where a clock stands at a moment: its deadline, time left and a label for people."""

    deadline: datetime
    remaining: timedelta
    is_overdue: bool
    label: str


def clock_status(
    *,
    deadline: datetime,
    now: datetime | None = None,
    working_day: WorkingDay | None = None,
    round_the_clock: bool = False,
) -> ClockStatus:
    """A clock is overdue once ``now`` is after its deadline; its label says by how much.

    A clock counted round the clock reads in elapsed hours: "N hours left" (or "Less than 1
    hour left"), "Overdue by N hours" (or "... less than 1 hour").

    Any other clock reads in working time, in order of precedence:
    - "Overdue by N working days" once N >= 1 working days have started since the deadline's
      day (working_days_between); on the deadline's own day "Overdue by N working hours"
      (or "... less than 1 working hour"), or just "Overdue" if no working time has passed;
    - "Due today" when the deadline is the end of today's working day;
    - "N working hours left" (or "Less than 1 working hour left") when less than one working
      day of working time is left, rounded down;
    - otherwise "N working days left", N being working_days_between(today, deadline day).
    """
    now = timezone.now() if now is None else now
    _require_aware(deadline, name="deadline")
    _require_aware(now, name="now")
    is_overdue = now > deadline
    if round_the_clock:
        remaining = deadline.astimezone(UTC) - now.astimezone(UTC)
        if is_overdue:
            label = _overdue_label(deadline_day=None, today=None, overdue=-remaining, unit="hour")
        else:
            label = _hours_left_label(remaining, unit="hour")
        return ClockStatus(
            deadline=_to_current_zone(deadline),
            remaining=remaining,
            is_overdue=is_overdue,
            label=label,
        )
    working_day = _or_default(working_day)
    remaining = working_time_left(deadline, now, working_day=working_day)
    deadline_day = deadline.astimezone(WORKING_TIME_ZONE).date()
    today = now.astimezone(WORKING_TIME_ZONE).date()
    if is_overdue:
        label = _overdue_label(deadline_day=deadline_day, today=today, overdue=-remaining)
    elif deadline_day == today and _is_end_of_working_day(deadline, working_day):
        label = "Due today"
    elif remaining < working_day.length:
        label = _hours_left_label(remaining)
    else:
        days = working_days_between(today, deadline_day)
        label = f"{_plural(days, 'working day')} left"
    return ClockStatus(
        deadline=_to_current_zone(deadline),
        remaining=remaining,
        is_overdue=is_overdue,
        label=label,
    )


# --- Clock rules -------------------------------------------------------------------------


class ClockKind(models.TextChoices):
    """A clock counts working hours, whole working days, or hours round the clock."""

    WORKING_HOURS = "working_hours", "working hours"
    WORKING_DAYS = "working_days", "working days"
    CLOCK_HOURS = "clock_hours", "hours round the clock"


_UNITS = {
    ClockKind.WORKING_HOURS: "working hour",
    ClockKind.WORKING_DAYS: "working day",
    ClockKind.CLOCK_HOURS: "hour",
}


@dataclass(frozen=True)
class ClockRule:
    """A clock rule is an amount of working hours, working days or clock hours from receipt."""

    kind: ClockKind
    amount: float

    def __post_init__(self) -> None:
        if self.amount < 0:
            raise ValueError(f"A clock cannot run for a negative amount, got {self.amount}")
        if self.kind == ClockKind.WORKING_DAYS and self.amount != int(self.amount):
            raise ValueError(f"Working day clocks count whole days, got {self.amount}")

    def __str__(self) -> str:
        amount = f"{self.amount:g}"
        unit = _UNITS[self.kind]
        text = f"{amount} {unit}" if amount == "1" else f"{amount} {unit}s"
        return f"{text} round the clock" if self.kind == ClockKind.CLOCK_HOURS else text

    @property
    def is_round_the_clock(self) -> bool:
        return self.kind == ClockKind.CLOCK_HOURS

    def deadline_for(
        self, received_at: datetime, *, working_day: WorkingDay | None = None
    ) -> datetime:
        """The deadline of this clock for something received at ``received_at``."""
        return deadline_for(self, received_at, working_day=working_day)


def deadline_for(
    rule: ClockRule, received_at: datetime, *, working_day: WorkingDay | None = None
) -> datetime:
    """A clock's deadline is add_working_hours, add_working_days or add_clock_hours from
    receipt, by its kind; working time counts within ``working_day``."""
    if rule.kind == ClockKind.CLOCK_HOURS:
        return add_clock_hours(received_at, rule.amount)
    if rule.kind == ClockKind.WORKING_HOURS:
        return add_working_hours(received_at, rule.amount, working_day=working_day)
    return add_working_days(received_at, int(rule.amount), working_day=working_day)


DEFAULT_SCREENING_CLOCKS: Mapping[str, ClockRule] = MappingProxyType(
    {
        "red": ClockRule(kind=ClockKind.WORKING_HOURS, amount=4),
        "amber": ClockRule(kind=ClockKind.WORKING_DAYS, amount=1),
        "green": ClockRule(kind=ClockKind.WORKING_DAYS, amount=3),
    }
)
DEFAULT_DECISION_CLOCK = ClockRule(kind=ClockKind.WORKING_DAYS, amount=1)
