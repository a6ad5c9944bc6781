"""Statutory clocks count working time: 09:00 to 17:00, Monday to Friday, less bank holidays.

Dates used (England and Wales, from the data bundled with govuk-bank-holidays):
- Easter 2026: Good Friday 3 April and Easter Monday 6 April are bank holidays.
- Christmas 2026: Christmas Day is Friday 25 December; Boxing Day falls on a Saturday, so its
  substitute bank holiday is Monday 28 December.
- BST ends on Sunday 25 October 2026 and starts on Sunday 29 March 2026.
"""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

import access
from referrals.clocks import (
    DEFAULT_DECISION_CLOCK,
    DEFAULT_SCREENING_CLOCKS,
    ClockKind,
    ClockRule,
    add_working_days,
    add_working_hours,
    clock_status,
    deadline_for,
    has_bank_holiday_data,
    is_bank_holiday,
    is_working_day,
    working_days_between,
    working_time_left,
)

LONDON = ZoneInfo("Europe/London")


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=LONDON)


# --- Working days ------------------------------------------------------------------------


def test_weekdays_are_working_days_and_weekends_are_not():
    assert is_working_day(date(2026, 3, 2))  # Monday
    assert is_working_day(date(2026, 3, 6))  # Friday
    assert not is_working_day(date(2026, 3, 7))  # Saturday
    assert not is_working_day(date(2026, 3, 8))  # Sunday


def test_good_friday_and_easter_monday_2026_are_not_working_days():
    assert not is_working_day(date(2026, 4, 3))
    assert not is_working_day(date(2026, 4, 6))
    assert is_working_day(date(2026, 4, 2))
    assert is_working_day(date(2026, 4, 7))


def test_bundled_data_has_christmas_day_2026_and_boxing_day_substituted_to_monday_28th():
    assert is_bank_holiday(date(2026, 12, 25))
    assert not is_bank_holiday(date(2026, 12, 26))  # a Saturday: the holiday moves to Monday
    assert is_bank_holiday(date(2026, 12, 28))


def test_christmas_day_and_the_substitute_boxing_day_2026_are_not_working_days():
    assert is_working_day(date(2026, 12, 24))
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))
    assert is_working_day(date(2026, 12, 29))


def test_years_beyond_the_bundled_bank_holiday_data_skip_weekends_only():
    assert not has_bank_holiday_data(2035)
    assert is_working_day(date(2035, 12, 25))  # a Tuesday; its bank holiday is unknown
    assert not is_working_day(date(2035, 12, 22))  # a Saturday


# --- Working day clocks ------------------------------------------------------------------


def test_one_working_day_clock_received_on_monday_morning_ends_on_tuesday_at_five():
    assert add_working_days(london(2026, 3, 2, 10), 1) == london(2026, 3, 3, 17)


def test_one_working_day_clock_received_on_friday_ends_on_monday_at_five():
    assert add_working_days(london(2026, 3, 6, 10), 1) == london(2026, 3, 9, 17)


def test_three_working_days_from_wednesday_end_at_five_on_the_following_monday():
    assert add_working_days(london(2026, 3, 4, 11), 3) == london(2026, 3, 9, 17)


def test_zero_working_days_end_at_five_on_the_day_of_receipt():
    assert add_working_days(london(2026, 3, 2, 10), 0) == london(2026, 3, 2, 17)


def test_amber_clock_on_the_thursday_before_easter_ends_on_the_tuesday_after():
    assert add_working_days(london(2026, 4, 2, 10), 1) == london(2026, 4, 7, 17)


def test_green_clock_on_the_thursday_before_easter_ends_on_the_thursday_after():
    assert add_working_days(london(2026, 4, 2, 10), 3) == london(2026, 4, 9, 17)


def test_referral_received_on_saturday_counts_as_received_on_monday():
    assert add_working_days(london(2026, 3, 7, 10), 1) == london(2026, 3, 10, 17)


def test_referral_received_after_five_counts_as_received_the_next_working_day():
    assert add_working_days(london(2026, 3, 2, 17, 30), 1) == london(2026, 3, 4, 17)


def test_referral_received_at_exactly_five_counts_as_received_the_next_working_day():
    assert add_working_days(london(2026, 3, 2, 17), 1) == london(2026, 3, 4, 17)


def test_referral_received_on_friday_evening_counts_as_received_on_monday():
    assert add_working_days(london(2026, 3, 6, 19), 1) == london(2026, 3, 10, 17)


def test_referral_received_before_nine_counts_as_received_that_day():
    assert add_working_days(london(2026, 3, 2, 7), 1) == london(2026, 3, 3, 17)


def test_referral_received_on_good_friday_counts_as_received_on_the_tuesday_after_easter():
    assert add_working_days(london(2026, 4, 3, 10), 1) == london(2026, 4, 8, 17)


def test_amber_clock_on_christmas_eve_2026_ends_on_tuesday_29_december():
    assert add_working_days(london(2026, 12, 24, 10), 1) == london(2026, 12, 29, 17)


def test_one_working_day_clock_across_the_end_of_bst_ends_at_five_gmt():
    deadline = add_working_days(london(2026, 10, 23, 10), 1)

    assert deadline == datetime(2026, 10, 26, 17, tzinfo=UTC)


def test_one_working_day_clock_across_the_start_of_bst_ends_at_five_bst():
    deadline = add_working_days(london(2026, 3, 27, 10), 1)

    assert deadline == datetime(2026, 3, 30, 16, tzinfo=UTC)


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        add_working_days(london(2026, 3, 2, 10), -1)


# --- Working hour clocks -----------------------------------------------------------------


def test_red_clock_received_on_a_weekday_morning_ends_the_same_afternoon():
    assert add_working_hours(london(2026, 3, 2, 10), 4) == london(2026, 3, 2, 14)


def test_red_clock_received_on_friday_afternoon_ends_on_monday_at_noon():
    assert add_working_hours(london(2026, 3, 6, 16), 4) == london(2026, 3, 9, 12)


def test_red_clock_received_on_saturday_counts_from_monday_at_nine():
    assert add_working_hours(london(2026, 3, 7, 11), 4) == london(2026, 3, 9, 13)


def test_red_clock_received_before_nine_counts_from_nine():
    assert add_working_hours(london(2026, 3, 2, 6, 30), 4) == london(2026, 3, 2, 13)


def test_red_clock_received_after_five_counts_from_nine_the_next_working_day():
    assert add_working_hours(london(2026, 3, 2, 20), 4) == london(2026, 3, 3, 13)


def test_working_hours_that_run_out_at_five_end_at_five_not_the_next_morning():
    assert add_working_hours(london(2026, 3, 2, 13), 4) == london(2026, 3, 2, 17)


def test_working_hours_may_be_fractional():
    assert add_working_hours(london(2026, 3, 2, 16, 45), 0.5) == london(2026, 3, 3, 9, 15)


def test_working_hours_longer_than_a_day_run_over_several_days():
    assert add_working_hours(london(2026, 3, 5, 9), 20) == london(2026, 3, 9, 13)


def test_red_clock_on_the_thursday_before_easter_skips_the_long_weekend():
    assert add_working_hours(london(2026, 4, 2, 15), 4) == london(2026, 4, 7, 11)


def test_red_clock_across_the_end_of_bst_counts_working_hours_not_elapsed_hours():
    deadline = add_working_hours(london(2026, 10, 23, 16), 4)

    assert deadline == london(2026, 10, 26, 12)
    assert deadline == datetime(2026, 10, 26, 12, tzinfo=UTC)  # GMT again


def test_negative_working_hours_are_refused():
    with pytest.raises(ValueError):
        add_working_hours(london(2026, 3, 2, 10), -1)


# --- Time zones --------------------------------------------------------------------------


def test_deadlines_are_returned_in_the_current_time_zone():
    with timezone.override(ZoneInfo("UTC")):
        deadline = add_working_days(london(2026, 6, 1, 10), 1)

    assert deadline.tzinfo == ZoneInfo("UTC")
    assert deadline == datetime(2026, 6, 2, 16, tzinfo=UTC)  # 17:00 BST


def test_deadlines_are_returned_in_london_time_by_default():
    deadline = add_working_hours(london(2026, 6, 1, 10), 4)

    assert deadline.utcoffset() == timedelta(hours=1)
    assert (deadline.hour, deadline.minute) == (14, 0)


def test_receipt_in_another_time_zone_is_judged_by_the_working_day_in_london():
    # 05:00 in New York is 10:00 in London: within working hours.
    received = datetime(2026, 3, 2, 5, tzinfo=ZoneInfo("America/New_York"))

    assert add_working_hours(received, 4) == london(2026, 3, 2, 14)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        add_working_days(datetime(2026, 3, 2, 10), 1)
    with pytest.raises(ValueError, match="aware"):
        working_time_left(datetime(2026, 3, 2, 10), london(2026, 3, 2, 10))


# --- Working days between ----------------------------------------------------------------


def test_working_days_between_counts_the_end_day_but_not_the_start_day():
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 4)) == 2


def test_working_days_between_is_zero_when_end_is_not_after_start():
    assert working_days_between(date(2026, 3, 4), date(2026, 3, 4)) == 0
    assert working_days_between(date(2026, 3, 4), date(2026, 3, 2)) == 0


def test_overdue_from_friday_is_no_working_days_over_the_weekend_and_one_on_monday():
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0
    assert working_days_between(date(2026, 3, 6), date(2026, 3, 9)) == 1


def test_overdue_from_the_thursday_before_easter_skips_good_friday_and_easter_monday():
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 6)) == 0
    assert working_days_between(date(2026, 4, 2), date(2026, 4, 7)) == 1


# --- Working time left -------------------------------------------------------------------


def test_working_time_left_ignores_nights_and_weekends():
    assert working_time_left(london(2026, 3, 9, 17), london(2026, 3, 6, 16)) == timedelta(hours=9)


def test_working_time_left_is_negative_by_the_working_time_overdue():
    left = working_time_left(london(2026, 3, 2, 12), london(2026, 3, 2, 15))

    assert left == timedelta(hours=-3)


def test_working_time_left_across_the_end_of_bst_counts_working_hours():
    left = working_time_left(london(2026, 10, 26, 12), london(2026, 10, 23, 16))

    assert left == timedelta(hours=4)


# --- Clock status ------------------------------------------------------------------------


def test_clock_with_hours_left_today_says_how_many_working_hours():
    status = clock_status(deadline=london(2026, 3, 2, 14), now=london(2026, 3, 2, 11))

    assert status.label == "3 working hours left"
    assert status.remaining == timedelta(hours=3)
    assert not status.is_overdue


def test_working_hours_left_are_rounded_down():
    status = clock_status(deadline=london(2026, 3, 2, 14), now=london(2026, 3, 2, 10, 40))

    assert status.label == "3 working hours left"


def test_clock_with_minutes_left_says_less_than_1_working_hour_left():
    status = clock_status(deadline=london(2026, 3, 2, 14), now=london(2026, 3, 2, 13, 30))

    assert status.label == "Less than 1 working hour left"


def test_red_clock_over_the_weekend_shows_the_working_hours_left_on_monday():
    status = clock_status(deadline=london(2026, 3, 9, 12), now=london(2026, 3, 7, 10))

    assert status.label == "3 working hours left"


def test_amber_clock_just_received_says_1_working_day_left():
    received = london(2026, 3, 2, 10)
    deadline = deadline_for(DEFAULT_SCREENING_CLOCKS["amber"], received)

    assert clock_status(deadline=deadline, now=received).label == "1 working day left"


def test_green_clock_just_received_says_3_working_days_left():
    received = london(2026, 3, 2, 10)
    deadline = deadline_for(DEFAULT_SCREENING_CLOCKS["green"], received)

    assert clock_status(deadline=deadline, now=received).label == "3 working days left"


def test_clock_ending_at_five_today_says_due_today():
    status = clock_status(deadline=london(2026, 3, 3, 17), now=london(2026, 3, 3, 9, 30))

    assert status.label == "Due today"
    assert not status.is_overdue


def test_clock_ending_at_five_today_still_says_due_today_in_the_last_minute():
    status = clock_status(deadline=london(2026, 3, 3, 17), now=london(2026, 3, 3, 16, 59))

    assert status.label == "Due today"


def test_clock_overdue_on_its_own_day_says_by_how_many_working_hours():
    status = clock_status(deadline=london(2026, 3, 2, 12), now=london(2026, 3, 2, 14))

    assert status.label == "Overdue by 2 working hours"
    assert status.is_overdue
    assert status.remaining == timedelta(hours=-2)


def test_clock_overdue_by_one_working_hour_is_singular():
    status = clock_status(deadline=london(2026, 3, 2, 12), now=london(2026, 3, 2, 13, 15))

    assert status.label == "Overdue by 1 working hour"


def test_clock_past_its_deadline_with_no_working_time_since_says_overdue():
    status = clock_status(deadline=london(2026, 3, 6, 17), now=london(2026, 3, 7, 10))

    assert status.label == "Overdue"
    assert status.is_overdue
    assert status.remaining == timedelta(0)


def test_clock_due_on_friday_is_overdue_by_1_working_day_on_monday():
    status = clock_status(deadline=london(2026, 3, 6, 17), now=london(2026, 3, 9, 10))

    assert status.label == "Overdue by 1 working day"


def test_clock_due_on_friday_is_overdue_by_2_working_days_on_tuesday():
    status = clock_status(deadline=london(2026, 3, 6, 17), now=london(2026, 3, 10, 10))

    assert status.label == "Overdue by 2 working days"


def test_clock_due_before_easter_is_overdue_by_1_working_day_on_the_tuesday_after():
    status = clock_status(deadline=london(2026, 4, 2, 17), now=london(2026, 4, 7, 10))

    assert status.label == "Overdue by 1 working day"


def test_clock_status_gives_the_deadline_in_the_current_time_zone():
    with timezone.override(ZoneInfo("UTC")):
        status = clock_status(deadline=london(2026, 6, 2, 17), now=london(2026, 6, 2, 10))

    assert status.deadline.tzinfo == ZoneInfo("UTC")


# --- Clock rules -------------------------------------------------------------------------


def test_default_screening_clocks_are_4_hours_red_1_day_amber_3_days_green():
    assert DEFAULT_SCREENING_CLOCKS["red"] == ClockRule(kind=ClockKind.WORKING_HOURS, amount=4)
    assert DEFAULT_SCREENING_CLOCKS["amber"] == ClockRule(kind=ClockKind.WORKING_DAYS, amount=1)
    assert DEFAULT_SCREENING_CLOCKS["green"] == ClockRule(kind=ClockKind.WORKING_DAYS, amount=3)


def test_default_decision_clock_is_1_working_day():
    assert DEFAULT_DECISION_CLOCK.kind == ClockKind.WORKING_DAYS
    assert DEFAULT_DECISION_CLOCK.amount == 1


def test_screening_deadlines_for_a_referral_on_the_thursday_before_easter():
    received = london(2026, 4, 2, 10)

    assert deadline_for(DEFAULT_SCREENING_CLOCKS["red"], received) == london(2026, 4, 2, 14)
    assert deadline_for(DEFAULT_SCREENING_CLOCKS["amber"], received) == london(2026, 4, 7, 17)
    assert deadline_for(DEFAULT_SCREENING_CLOCKS["green"], received) == london(2026, 4, 9, 17)


def test_a_rule_gives_the_same_deadline_as_deadline_for():
    rule = DEFAULT_SCREENING_CLOCKS["red"]
    received = london(2026, 3, 6, 16)

    assert rule.deadline_for(received) == deadline_for(rule, received) == london(2026, 3, 9, 12)


def test_clock_rules_read_as_their_amount_of_working_time():
    assert str(DEFAULT_SCREENING_CLOCKS["red"]) == "4 working hours"
    assert str(DEFAULT_SCREENING_CLOCKS["amber"]) == "1 working day"
    assert str(ClockRule(kind=ClockKind.WORKING_HOURS, amount=0.5)) == "0.5 working hours"


def test_working_day_clock_rules_must_be_whole_non_negative_days():
    with pytest.raises(ValueError):
        ClockRule(kind=ClockKind.WORKING_DAYS, amount=1.5)
    with pytest.raises(ValueError):
        ClockRule(kind=ClockKind.WORKING_HOURS, amount=-1)


def test_default_screening_clocks_cannot_be_changed_by_accident():
    with pytest.raises(TypeError):
        DEFAULT_SCREENING_CLOCKS["red"] = DEFAULT_DECISION_CLOCK  # type: ignore[index]


# --- A hub's working day and red clock (issue 12) -----------------------------------------
# 6 March 2026 is a Friday, 9 March the Monday after.


@pytest.fixture
def hub(db):
    from panels.models import Panel, PanelKind

    return Panel.objects.create(name="Fenmarsh MASH", kind=PanelKind.MASH)


def hub_with(hub, **values):
    from referrals.models import ScreeningClocks

    ScreeningClocks.objects.create(panel=hub, **values)
    hub.refresh_from_db()
    return hub


def screening_deadline(hub, received, *, immediate_risk=True):
    from referrals import clocks_for
    from referrals.models import Referral

    referral = Referral(hub=hub, immediate_risk=immediate_risk)
    return clocks_for.deadlines_on_receipt(referral, received)["screening_due_at"]


def test_the_default_working_day_is_nine_to_five_from_settings(settings):
    from referrals.clocks import WorkingDay, default_working_day

    start, end = settings.WORKING_DAY_START, settings.WORKING_DAY_END

    assert (start, end) == (time(9), time(17))
    assert default_working_day() == WorkingDay(start=time(9), end=time(17))


def test_the_settings_working_day_is_used_where_a_hub_sets_none(settings, hub):
    settings.WORKING_DAY_START, settings.WORKING_DAY_END = time(8), time(16)

    assert add_working_days(london(2026, 3, 2, 10), 1) == london(2026, 3, 3, 16)
    assert add_working_hours(london(2026, 3, 6, 15), 4) == london(2026, 3, 9, 11)
    assert screening_deadline(hub, london(2026, 3, 6, 15)) == london(2026, 3, 9, 11)


def test_settings_may_give_the_working_day_as_text(settings):
    from referrals.clocks import WorkingDay, default_working_day

    settings.WORKING_DAY_START, settings.WORKING_DAY_END = "08:30", "16:30"

    assert default_working_day() == WorkingDay(start=time(8, 30), end=time(16, 30))


def test_settings_whose_working_day_ends_before_it_starts_are_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    from referrals.clocks import default_working_day

    settings.WORKING_DAY_START, settings.WORKING_DAY_END = time(17), time(9)

    with pytest.raises(ImproperlyConfigured):
        default_working_day()


def test_custom_working_hours_count_a_red_clock_within_them(hub):
    hub_with(hub, working_day_start=time(8), working_day_end=time(18))

    # Friday 16:00 to 18:00 is 2 hours; Monday 08:00 to 10:00 the other 2.
    assert screening_deadline(hub, london(2026, 3, 6, 16)) == london(2026, 3, 9, 10)
    # Received at 08:30, inside the hub's day (before the default 09:00 start).
    assert screening_deadline(hub, london(2026, 3, 2, 8, 30)) == london(2026, 3, 2, 12, 30)


def test_custom_working_hours_end_a_working_day_clock_at_the_hubs_end_of_day(hub):
    hub_with(hub, working_day_start=time(8), working_day_end=time(18))

    amber = screening_deadline(hub, london(2026, 3, 2, 17, 30), immediate_risk=False)

    assert amber == london(2026, 3, 3, 18)


def test_a_hub_setting_only_its_start_keeps_the_settings_end(settings, hub):
    from referrals import clocks_for
    from referrals.clocks import WorkingDay

    settings.WORKING_DAY_END = time(16)
    hub_with(hub, working_day_start=time(7, 30))

    assert clocks_for.hub_clocks(hub).working_day == WorkingDay(time(7, 30), time(16))


def test_red_counted_round_the_clock_runs_through_the_weekend(hub):
    hub_with(hub, red_counting="round_the_clock")

    assert screening_deadline(hub, london(2026, 3, 6, 22)) == london(2026, 3, 7, 2)
    assert screening_deadline(hub, london(2026, 3, 7, 11)) == london(2026, 3, 7, 15)


def test_red_counted_round_the_clock_runs_through_a_bank_holiday(hub):
    hub_with(hub, red_counting="round_the_clock", red_hours=6)

    assert screening_deadline(hub, london(2026, 4, 3, 10)) == london(2026, 4, 3, 16)


def test_red_counted_round_the_clock_counts_elapsed_hours_across_the_end_of_bst(hub):
    hub_with(hub, red_counting="round_the_clock")

    # 23:00 BST on Saturday 24 October is 22:00 UTC; 4 elapsed hours later is 02:00 GMT.
    deadline = screening_deadline(hub, london(2026, 10, 24, 23))

    assert deadline == datetime(2026, 10, 25, 2, tzinfo=UTC)


def test_red_counted_in_working_hours_waits_over_the_weekend(hub):
    hub_with(hub, red_counting="working_hours")

    assert screening_deadline(hub, london(2026, 3, 6, 16)) == london(2026, 3, 9, 12)
    assert screening_deadline(hub, london(2026, 3, 6, 22)) == london(2026, 3, 9, 13)


def test_round_the_clock_applies_to_red_only(hub):
    hub_with(hub, red_counting="round_the_clock")

    amber = screening_deadline(hub, london(2026, 3, 6, 22), immediate_risk=False)

    assert amber == london(2026, 3, 10, 17)


def test_a_decision_after_a_red_rating_is_due_within_reds_round_the_clock_hours(hub):
    from referrals import clocks_for
    from referrals.models import Referral

    hub_with(hub, red_counting="round_the_clock")
    referral = Referral(hub=hub, submitted_at=london(2026, 3, 6, 22))

    assert clocks_for.decision_due_after_screening(referral, "red") == london(2026, 3, 7, 2)


def test_a_round_the_clock_rule_reads_in_hours():
    rule = ClockRule(kind=ClockKind.CLOCK_HOURS, amount=4)

    assert str(rule) == "4 hours round the clock"
    assert rule.deadline_for(london(2026, 3, 6, 22)) == london(2026, 3, 7, 2)


def test_a_round_the_clock_clock_reads_in_hours_left_and_overdue():
    deadline = london(2026, 3, 7, 2)

    running = clock_status(deadline=deadline, now=london(2026, 3, 6, 23), round_the_clock=True)
    late = clock_status(deadline=deadline, now=london(2026, 3, 7, 5, 30), round_the_clock=True)

    assert running.label == "3 hours left"
    assert late.label == "Overdue by 3 hours"


def test_a_referrals_clock_reads_in_its_hubs_terms(hub):
    from referrals import clocks_for
    from referrals.models import Referral, ReferralState

    hub_with(hub, red_counting="round_the_clock", working_day_end=time(18))
    urgent = Referral(hub=hub, immediate_risk=True, state=ReferralState.SUBMITTED)
    calm = Referral(hub=hub, immediate_risk=False, state=ReferralState.SUBMITTED)

    red = clocks_for.clock_status_of(
        urgent, clock="screening", deadline=london(2026, 3, 7, 2), now=london(2026, 3, 6, 23)
    )
    amber = clocks_for.clock_status_of(
        calm, clock="screening", deadline=london(2026, 3, 9, 18), now=london(2026, 3, 9, 10)
    )

    assert red.label == "3 hours left"
    assert amber.label == "Due today"


# --- Validating and changing a hub's clocks -------------------------------------------------


def test_a_working_day_must_end_after_it_starts():
    from referrals.clocks import WorkingDay

    with pytest.raises(ValueError):
        WorkingDay(start=time(17), end=time(9))


def test_a_hubs_clocks_whose_day_ends_before_it_starts_are_invalid(hub):
    from django.core.exceptions import ValidationError

    from referrals.models import ScreeningClocks

    with pytest.raises(ValidationError) as backwards:
        ScreeningClocks(panel=hub, working_day_start=time(17), working_day_end=time(9)).clean()
    with pytest.raises(ValidationError):
        # The end is the settings' 17:00.
        ScreeningClocks(panel=hub, working_day_start=time(18)).clean()

    assert "working_day_end" in backwards.value.message_dict


def test_the_database_refuses_a_day_that_ends_before_it_starts(hub):
    from django.db import IntegrityError, transaction

    from referrals.models import ScreeningClocks

    with pytest.raises(IntegrityError), transaction.atomic():
        ScreeningClocks.objects.create(
            panel=hub, working_day_start=time(17), working_day_end=time(9)
        )


def update_clocks(actor, clocks, **overrides):
    from referrals import clocks_for

    values = {
        "red_hours": 4,
        "red_counting": "working_hours",
        "amber_working_days": 1,
        "green_working_days": 3,
        "decision_working_days": 1,
        "working_day_start": None,
        "working_day_end": None,
        "reason": "Agreed at the partnership's October meeting.",
        **overrides,
    }
    return clocks_for.screening_clocks_update(actor=actor, clocks=clocks, **values)


@pytest.fixture
def coordinator(hub):
    """The hub's coordinator, who may set its clocks."""
    from agencies.models import Role
    from panels.models import PanelMembership, PanelRole
    from tests.factories import person

    user = person(Role.PANEL_COORDINATOR, username="coordinator")
    PanelMembership.objects.create(
        panel=hub, user=user, agency=user.memberships.get().agency, role=PanelRole.COORDINATOR
    )
    return user


def test_updating_a_hubs_clocks_records_what_changed_in_the_audit_trail(hub, coordinator):
    from agencies.models import AuditAction, AuditEvent
    from referrals.models import ScreeningClocks

    clocks = update_clocks(coordinator, ScreeningClocks(panel=hub))
    update_clocks(
        coordinator,
        clocks,
        red_hours=2,
        red_counting="round_the_clock",
        working_day_start=time(8),
        working_day_end=time(18),
    )

    clocks.refresh_from_db()
    assert (clocks.red_hours, clocks.red_counting) == (2, "round_the_clock")
    assert (clocks.working_day_start, clocks.working_day_end) == (time(8), time(18))
    created, changed = AuditEvent.objects.filter(object_type="referrals.screeningclocks").order_by(
        "pk"
    )
    assert (created.action, changed.action) == (AuditAction.CREATED, AuditAction.CHANGED)
    assert changed.actor == coordinator
    assert changed.reason == "Agreed at the partnership's October meeting."
    assert "red 4 hours in working hours -> 2 hours round the clock" in changed.detail
    assert "working day 9:00 to 17:00 -> 8:00 to 18:00" in changed.detail
    assert "amber" not in changed.detail


def test_invalid_clocks_are_refused_and_change_nothing(hub, coordinator):
    from django.core.exceptions import ValidationError

    from agencies.models import AuditEvent
    from referrals.models import ScreeningClocks

    clocks = update_clocks(coordinator, ScreeningClocks(panel=hub))

    with pytest.raises(ValidationError) as refused:
        update_clocks(
            coordinator, clocks, working_day_start=time(18), working_day_end=time(8), red_hours=0
        )

    clocks.refresh_from_db()
    assert set(refused.value.message_dict) == {"working_day_end", "red_hours"}
    assert (clocks.working_day_start, clocks.red_hours) == (None, 4)
    assert AuditEvent.objects.filter(object_type="referrals.screeningclocks").count() == 1


def test_only_those_the_policy_allows_set_a_hubs_clocks(hub):
    from agencies.models import AuditEvent, Role
    from referrals.models import ScreeningClocks
    from tests.factories import person

    referrer = person(Role.REFERRER, username="referrer")

    with pytest.raises(access.ForbiddenForUser):
        update_clocks(referrer, ScreeningClocks(panel=hub), red_counting="round_the_clock")

    assert not ScreeningClocks.objects.exists()
    assert not AuditEvent.objects.filter(object_type="referrals.screeningclocks").exists()


# --- The hub's page states its rules ----------------------------------------------------------


def test_the_hubs_page_states_its_screening_clocks(client, hub):
    from agencies.models import Role
    from panels.models import PanelMembership, PanelRole
    from tests.factories import person

    hub_with(hub, red_counting="round_the_clock", working_day_start=time(8, 30))
    chair = person(Role.PANEL_COORDINATOR, username="hub_chair")
    PanelMembership.objects.create(
        panel=hub, user=chair, agency=chair.memberships.get().agency, role=PanelRole.COORDINATOR
    )
    client.force_login(chair)

    html = client.get(f"/panels/{hub.pk}/").content.decode()

    assert "Screening clocks" in html
    assert "4 hours from receipt, counted round the clock" in html
    assert "1 working day from receipt" in html
    assert "3 working days from receipt" in html
    assert "Monday to Friday, 8:30 to 17:00" in html
    assert "Weekends and England and Wales bank holidays do not count." in html


def test_the_hubs_summary_says_red_counts_working_hours_by_default(hub):
    from referrals import clocks_for

    rows = dict(clocks_for.clocks_summary(hub))

    assert rows["Red"] == "4 hours from receipt, counted in working hours, 9:00 to 17:00"
    assert rows["Decision"] == "1 working day from receipt"
    assert rows["Working days"].startswith("Monday to Friday, 9:00 to 17:00 (the default)")
