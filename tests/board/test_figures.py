"""Each figure of the board's dashboard, computed on the hand-made quarter of conftest.py."""

import pytest

import access
from board import selectors
from board.periods import period_from
from tests.board.conftest import TODAY


def figure(quarter, key, user="board", **filters):
    f = selectors.Filters(
        access.dashboard_oversight(quarter.people[user]), period_from("2025-Q3"), **filters
    )
    return {fig.key: fig for fig in selectors.dashboard(f, today=TODAY)}[key]


def test_referrals_by_agency_per_month_and_quarter(quarter):
    fig = figure(quarter, "referrals-by-agency")

    assert fig.header == ["Agency", "Jul 2025", "Aug 2025", "Sep 2025", "Total"]
    assert fig.rows == [["Police", 0, 1, 0, 1], ["School", 1, 0, 1, 2]]


def test_referrals_by_category_count_each_category(quarter):
    assert figure(quarter, "referrals-by-category").rows == [
        ["Child sexual exploitation", 0, 1, 0, 1],
        ["Neglect", 1, 0, 1, 2],
        ["Online harm", 1, 0, 0, 1],
    ]


def test_decisions_within_clock_and_median_working_time_skip_the_bank_holiday(quarter):
    # r2: 8 + 4 = 12 h; r1: Fri 7 h + Tue 7 h = 14 h (Mon 25 Aug is a bank holiday, the
    # weekend does not count); r3: 7 + 8 + 1 = 16 h and a day late.
    assert figure(quarter, "screening-decisions").rows == [
        ["Jul 2025", 1, 1, "100.0%", "12.0"],
        ["Aug 2025", 1, 1, "100.0%", "14.0"],
        ["Sep 2025", 1, 0, "0.0%", "16.0"],
        ["Q3 2025", 3, 2, "66.7%", "14.0"],
    ]


def test_repeat_at_11_months_counts_and_at_13_months_does_not(quarter):
    assert figure(quarter, "repeat-referrals").rows == [
        ["Jul 2025", 1, 0, "0.0%"],
        ["Aug 2025", 1, 1, "100.0%"],
        ["Sep 2025", 1, 0, "0.0%"],
        ["Q3 2025", 3, 1, "33.3%"],
    ]


def test_children_discussed_at_meetings_held_each_counted_once(quarter):
    assert figure(quarter, "children-at-panel").rows == [
        ["Jul 2025", 2, 1],
        ["Aug 2025", 1, 1],
        ["Sep 2025", 0, 0],
        ["Q3 2025", 2, 2],
    ]


def test_actions_opened_completed_late_and_overdue_by_agency(quarter):
    # Police: one completed six days late, one cancelled (never overdue). School: one done in
    # time, one due Friday 26 September still open on 30 September: 2 working days overdue.
    assert figure(quarter, "actions-by-agency").rows == [
        ["Police", 2, 1, 1, 0, "–"],
        ["School", 2, 1, 0, 1, "2.0"],
    ]


def test_contributions_waiting_by_agency(quarter):
    assert figure(quarter, "contributions-waiting").rows == [["School", 1, "4.0", 4]]


def test_caseload_per_team_and_worker_after_a_reallocation_mid_month(quarter):
    assert figure(quarter, "caseload-teams").rows == [
        ["Team East", "Children's Services", 2, 4, 2, 2.0, 1]
    ]
    assert figure(quarter, "caseload-workers").rows == [
        ["Team East", "W1 Person", 3, 2, 1, "over"],
        ["Team East", "W2 Person", 1, 2, 0, "within"],
    ]


def test_unallocated_cases_by_age(quarter):
    fig = figure(quarter, "unallocated")
    assert fig.rows[-1] == ["All unallocated", 1]
    assert fig.rows[2] == ["Over 20", 1]


def test_qa_grades_and_themes(quarter):
    grades = figure(quarter, "qa-grades").rows
    assert grades[1] == ["Good", 0, 0, 1, 1]
    assert grades[3] == ["Inadequate", 0, 1, 0, 1]
    assert figure(quarter, "qa-themes").rows == [["Voice of the child", 2], ["Drift", 1]]


def test_an_agency_lead_sees_their_agency_only(quarter):
    assert figure(quarter, "referrals-by-agency", user="lead_police").rows == [
        ["Police", 0, 1, 0, 1]
    ]


def test_filters_by_agency_narrow_every_figure(quarter):
    rows = figure(quarter, "actions-by-agency", agency_id=quarter.school.pk).rows
    assert [r[0] for r in rows] == ["School"]


@pytest.mark.parametrize("key", selectors.FIGURE_KEYS)
def test_every_figure_is_refused_to_someone_who_oversees_nothing(quarter, client, key):
    client.force_login(quarter.people["referrer"])

    assert client.get(f"/board/dashboard/{key}.csv").status_code == 403
