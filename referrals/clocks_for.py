"""Which clocks apply to a referral: its hub's configured clocks, or the statutory defaults."""

from datetime import datetime

from referrals import clocks
from referrals.models import Rag, Referral, ScreeningClocks


def screening_rules(hub) -> dict[str, clocks.ClockRule]:
    configured = ScreeningClocks.objects.filter(panel=hub).first() if hub else None
    if configured is None:
        return dict(clocks.DEFAULT_SCREENING_CLOCKS)
    return {
        Rag.RED: clocks.ClockRule(clocks.ClockKind.WORKING_HOURS, configured.red_working_hours),
        Rag.AMBER: clocks.ClockRule(clocks.ClockKind.WORKING_DAYS, configured.amber_working_days),
        Rag.GREEN: clocks.ClockRule(clocks.ClockKind.WORKING_DAYS, configured.green_working_days),
    }


def decision_rule(hub) -> clocks.ClockRule:
    configured = ScreeningClocks.objects.filter(panel=hub).first() if hub else None
    if configured is None:
        return clocks.DEFAULT_DECISION_CLOCK
    return clocks.ClockRule(clocks.ClockKind.WORKING_DAYS, configured.decision_working_days)


def deadlines_on_receipt(referral: Referral, received_at: datetime) -> dict[str, datetime]:
    """On receipt: screen within the clock of the provisional rating (red when the referrer
    says the child is at immediate risk, amber otherwise); decide within the decision clock."""
    provisional = Rag.RED if referral.immediate_risk else Rag.AMBER
    return {
        "screening_due_at": clocks.deadline_for(
            screening_rules(referral.hub)[provisional], received_at
        ),
        "decision_due_at": clocks.deadline_for(decision_rule(referral.hub), received_at),
    }


def decision_due_after_screening(referral: Referral, rag: str) -> datetime:
    """Once rated, the decision is due within that rating's clock from receipt, and never
    later than the decision clock allows for red and amber."""
    received = referral.submitted_at
    by_rating = clocks.deadline_for(screening_rules(referral.hub)[rag], received)
    if rag == Rag.GREEN:
        return by_rating
    return min(by_rating, clocks.deadline_for(decision_rule(referral.hub), received))
