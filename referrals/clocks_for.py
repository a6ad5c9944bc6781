"""Which clocks apply to a referral: its hub's configured clocks and working day, or the
defaults (the statutory clocks, counted in the working day of the WORKING_DAY_START and
WORKING_DAY_END settings). Also the one write of a hub's clocks, screening_clocks_update.

The rules, as docs/clocks.md states them for people:
- red is N hours from receipt, counted in working hours (the hub's working day) or round the
  clock (through nights, weekends and bank holidays), as the hub chooses;
- amber, green and the decision are whole working days, ending at the end of the working day;
- weekends and England and Wales bank holidays are never working days.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

import access
from agencies import audit
from panels.models import Panel, PanelKind
from referrals.clocks import (
    DEFAULT_DECISION_CLOCK,
    DEFAULT_SCREENING_CLOCKS,
    ClockKind,
    ClockRule,
    ClockStatus,
    WorkingDay,
    clock_status,
    deadline_for,
    default_working_day,
    working_day_bounds,
)
from referrals.models import Rag, RedClockCounting, Referral, ScreeningClocks


def configured_clocks(hub: Panel | None) -> ScreeningClocks | None:
    """The hub's own clocks, if it has set any. Read through the relation, so a queryset that
    selected ``hub__screening_clocks`` asks the database nothing more."""
    if hub is None:
        return None
    try:
        return hub.screening_clocks
    except ScreeningClocks.DoesNotExist:
        return None


@dataclass(frozen=True)
class HubClocks:
    """Every clock of a hub, and the working day its working time is counted in."""

    working_day: WorkingDay
    screening: dict[str, ClockRule]
    decision: ClockRule
    working_day_is_default: bool


def hub_clocks(hub: Panel | None) -> HubClocks:
    """A hub's clocks; what it has not set comes from the settings and the statutory defaults."""
    configured = configured_clocks(hub)
    if configured is None:
        return HubClocks(
            working_day=default_working_day(),
            screening=dict(DEFAULT_SCREENING_CLOCKS),
            decision=DEFAULT_DECISION_CLOCK,
            working_day_is_default=True,
        )
    start, end = working_day_bounds(configured.working_day_start, configured.working_day_end)
    red_kind = (
        ClockKind.CLOCK_HOURS
        if configured.red_counting == RedClockCounting.ROUND_THE_CLOCK
        else ClockKind.WORKING_HOURS
    )
    return HubClocks(
        working_day=WorkingDay(start=start, end=end),
        screening={
            Rag.RED: ClockRule(red_kind, configured.red_hours),
            Rag.AMBER: ClockRule(ClockKind.WORKING_DAYS, configured.amber_working_days),
            Rag.GREEN: ClockRule(ClockKind.WORKING_DAYS, configured.green_working_days),
        },
        decision=ClockRule(ClockKind.WORKING_DAYS, configured.decision_working_days),
        working_day_is_default=configured.working_day_start is None
        and configured.working_day_end is None,
    )


def screening_rules(hub: Panel | None) -> dict[str, ClockRule]:
    return hub_clocks(hub).screening


def decision_rule(hub: Panel | None) -> ClockRule:
    return hub_clocks(hub).decision


def deadlines_on_receipt(referral: Referral, received_at: datetime) -> dict[str, datetime]:
    """On receipt: screen within the clock of the provisional rating (red when the referrer
    says the child is at immediate risk, amber otherwise); decide within the decision clock."""
    rules = hub_clocks(referral.hub)
    provisional = Rag.RED if referral.immediate_risk else Rag.AMBER
    return {
        "screening_due_at": deadline_for(
            rules.screening[provisional], received_at, working_day=rules.working_day
        ),
        "decision_due_at": deadline_for(rules.decision, received_at, working_day=rules.working_day),
    }


def decision_due_after_screening(referral: Referral, rag: str) -> datetime:
    """Once rated, the decision is due within that rating's clock from receipt, and never
    later than the decision clock allows for red and amber."""
    rules = hub_clocks(referral.hub)
    received = referral.submitted_at
    by_rating = deadline_for(rules.screening[rag], received, working_day=rules.working_day)
    if rag == Rag.GREEN:
        return by_rating
    return min(by_rating, deadline_for(rules.decision, received, working_day=rules.working_day))


SCREENING, DECISION = "screening", "decision"


def clock_status_of(
    referral: Referral, *, clock: str, deadline: datetime, now: datetime
) -> ClockStatus:
    """Where one of the referral's clocks stands, read in its hub's terms.

    A clock set from a red rating reads in elapsed hours when the hub counts red round the
    clock: the screening clock of a referral at immediate risk (provisionally red on receipt),
    and the decision clock once screened red. Every other clock reads in working time, within
    the hub's working day."""
    if clock not in (SCREENING, DECISION):
        raise ValueError(f"clock must be {SCREENING!r} or {DECISION!r}, got {clock!r}")
    rules = hub_clocks(referral.hub)
    on_red = referral.immediate_risk if clock == SCREENING else referral.rag == Rag.RED
    return clock_status(
        deadline=deadline,
        now=now,
        working_day=rules.working_day,
        round_the_clock=on_red and rules.screening[Rag.RED].is_round_the_clock,
    )


# --- The hub's page: the rules in words ------------------------------------------------------


def is_hub(panel: Panel) -> bool:
    """A MASH screens referrals; any other panel does when it has clocks of its own."""
    return panel.kind == PanelKind.MASH or configured_clocks(panel) is not None


def clocks_summary(hub: Panel) -> list[tuple[str, str]]:
    """The hub's clocks as (clock, rule) rows for a summary list, in the words of
    docs/clocks.md."""
    rules = hub_clocks(hub)
    red = rules.screening[Rag.RED]
    hours = f"{red.amount:g} hour" + ("" if red.amount == 1 else "s")
    if red.is_round_the_clock:
        red_text = f"{hours} from receipt, counted round the clock (nights, weekends and bank "
        red_text += "holidays count)"
    else:
        red_text = f"{hours} from receipt, counted in working hours, {rules.working_day}"
    working_day = f"Monday to Friday, {rules.working_day}"
    if rules.working_day_is_default:
        working_day += " (the default)"
    return [
        ("Red", red_text),
        ("Amber", f"{rules.screening[Rag.AMBER]} from receipt"),
        ("Green", f"{rules.screening[Rag.GREEN]} from receipt"),
        ("Decision", f"{rules.decision} from receipt"),
        (
            "Working days",
            f"{working_day}. Weekends and England and Wales bank holidays do not count.",
        ),
    ]


# --- Changing a hub's clocks -------------------------------------------------------------------


def _described(clocks: ScreeningClocks) -> dict[str, str]:
    counting = RedClockCounting(clocks.red_counting).label.lower()
    start, end = working_day_bounds(clocks.working_day_start, clocks.working_day_end)
    return {
        "red": f"{clocks.red_hours} hours {counting}",
        "amber": f"{clocks.amber_working_days} working days",
        "green": f"{clocks.green_working_days} working days",
        "decision": f"{clocks.decision_working_days} working days",
        "working day": str(WorkingDay(start=start, end=end))
        if start < end
        else f"{start} to {end}",
    }


@transaction.atomic(durable=True)
def screening_clocks_update(
    *,
    actor: AbstractBaseUser,
    clocks: ScreeningClocks,
    red_hours: int,
    red_counting: str,
    amber_working_days: int,
    green_working_days: int,
    decision_working_days: int,
    working_day_start: time | None,
    working_day_end: time | None,
    reason: str = "",
    request=None,
) -> ScreeningClocks:
    """Set a hub's clocks (create them when ``clocks`` is not saved yet, e.g.
    ``ScreeningClocks(panel=hub)``), with an audit row saying what changed from what.

    A blank working day start or end means the setting (WORKING_DAY_START, WORKING_DAY_END).
    Refused with a ValidationError (per field) when the working day would not end after it
    starts, or the red clock is under 1 hour. Referrals already received keep the deadlines
    they were given; new ones get the new clocks.

    Refused (403) unless the policy lets the actor manage this hub's clocks
    (``can_manage_screening_clocks``: a system administrator, or the panel's chair or
    coordinator); the management page asks it too, before showing the form.
    """
    if not access.can_manage_screening_clocks(actor, clocks.panel):
        raise access.ForbiddenForUser(
            action="set the screening clocks of", object_type="panel", object_id=clocks.panel_id
        )
    if clocks.pk is not None:
        clocks = ScreeningClocks.objects.select_for_update().get(pk=clocks.pk)
        before = _described(clocks)
    else:
        before = None
    clocks.red_hours = red_hours
    clocks.red_counting = red_counting
    clocks.amber_working_days = amber_working_days
    clocks.green_working_days = green_working_days
    clocks.decision_working_days = decision_working_days
    clocks.working_day_start = working_day_start
    clocks.working_day_end = working_day_end
    clocks.full_clean()
    clocks.save()
    after = _described(clocks)
    if before is None:
        action = audit.Action.CREATED
        detail = "Screening clocks set: " + "; ".join(f"{k} {v}" for k, v in after.items())
    else:
        action = audit.Action.CHANGED
        changed = [f"{k} {before[k]} -> {after[k]}" for k in after if before[k] != after[k]]
        detail = "Screening clocks changed: " + ("; ".join(changed) or "nothing")
    audit.record(
        actor=actor,
        action=action,
        obj=clocks,
        request=request,
        reason=reason,
        detail=f"{clocks.panel.name}. {detail}",
    )
    return clocks
