"""The dashboard's share of return home interviews offered and held within their 72 clock
hours (issue 18), on interviews whose right answers are counted here by hand."""

from datetime import timedelta

import access
from board import selectors
from board.periods import period_from
from missing.models import MissingEpisode, ReturnInterview
from tests.board.conftest import TODAY, at


def interview(quarter, child, due, *, offered=None, held=None, n):
    episode = MissingEpisode.objects.create(
        reference=f"BRD-M-{n}",
        child=child,
        reporting_agency=quarter.police,
        reported_by=quarter.people["referrer"],
        missing_from="home",
        missing_since=due - timedelta(hours=100),
        risk_grading="medium",
        returned_at=due - timedelta(hours=72),
    )
    return ReturnInterview.objects.create(
        episode=episode, due_at=due, offered_at=offered, held_at=held
    )


def figure_for(quarter, user="board"):
    filters = selectors.Filters(
        access.dashboard_oversight(quarter.people[user]), period_from("2025-Q3")
    )
    return {f.key: f for f in selectors.dashboard(filters, today=TODAY)}["return-interviews"]


def test_interviews_offered_and_held_within_72_hours_per_month(quarter):
    a = quarter.referrals["r1"].child  # referred to the panel the board member oversees
    b = quarter.referrals["r2"].child
    # August: offered and held in time.
    due = at(2025, 8, 28, 12)
    interview(
        quarter, a, due, offered=due - timedelta(hours=40), held=due - timedelta(hours=1), n=1
    )
    # September: offered in time, held an hour late (73 hours after the return).
    due = at(2025, 9, 10, 12)
    interview(
        quarter, b, due, offered=due - timedelta(hours=60), held=due + timedelta(hours=1), n=2
    )
    # September: never offered.
    interview(quarter, a, at(2025, 9, 20, 9), n=3)
    # October: outside the quarter.
    interview(quarter, b, at(2025, 10, 2, 9), n=4)

    fig = figure_for(quarter)

    assert fig.header == [
        "Period", "Due", "Offered in time", "Share offered", "Held in time", "Share held",
    ]  # fmt: skip
    by_period = {row[0]: row[1:] for row in fig.rows}
    assert by_period["Jul 2025"] == [0, 0, "–", 0, "–"]  # no interview due: no share
    assert by_period["Aug 2025"] == [1, 1, "100.0%", 1, "100.0%"]
    assert by_period["Sep 2025"] == [2, 1, "50.0%", 0, "0.0%"]
    assert by_period["Q3 2025"] == [3, 2, "66.7%", 1, "33.3%"]


def test_a_person_who_oversees_no_panel_of_the_child_nor_the_team_sees_none(quarter):
    interview(quarter, quarter.referrals["r1"].child, at(2025, 8, 28, 12), n=1)

    rows = figure_for(quarter, user="lead_police").rows  # leads police; no interview team

    assert all(row[1] == 0 for row in rows)
