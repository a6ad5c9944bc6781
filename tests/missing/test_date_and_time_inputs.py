"""A missing episode's moments (when missing, when found, when an interview was offered or
held) are typed as the GOV.UK date input with a time box: day, month, year and "21:30", in
the service's time zone, with messages that say which part is missing or wrong."""

from datetime import datetime

import pytest
from django.utils import timezone

from missing.forms import ReturnForm, when


def typed(day="7", month="3", year="2026", time="21:30") -> dict:
    return {"m_0": day, "m_1": month, "m_2": year, "m_3": time}


def clean(data, *, required=True):
    class Form(ReturnForm.__base__):
        m = when("When missing", required=required)

    form = Form(data)
    form.is_valid()
    return form


def test_a_whole_moment_is_that_time_in_the_services_time_zone():
    form = clean(typed())

    assert form.errors == {}
    assert form.cleaned_data["m"] == timezone.make_aware(datetime(2026, 3, 7, 21, 30))


def test_a_time_with_a_dot_is_read_too():
    assert clean(typed(time="9.05")).cleaned_data["m"].strftime("%H:%M") == "09:05"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (typed(time=""), "When missing must include a time"),
        (typed(month=""), "When missing must include a month"),
        (typed(time="25:00"), "When missing: enter the time in hours and minutes"),
        (typed(time="9pm"), "When missing: enter the time in hours and minutes"),
        (typed(day="31", month="2"), "When missing must be a real date"),
        (typed(year="26"), "Year must include 4 numbers"),
        (typed(day="", month="", year="", time=""), "Enter when missing"),
    ],
)
def test_each_mistake_is_named(data, message):
    errors = clean(data).errors["m"]

    assert any(error.startswith(message) for error in errors), errors


def test_an_optional_moment_left_empty_is_none():
    form = clean(typed(day="", month="", year="", time=""), required=False)

    assert form.errors == {}
    assert form.cleaned_data["m"] is None


def test_the_form_draws_four_labelled_boxes_and_shows_a_stored_moment_in_local_time():
    class Form(ReturnForm.__base__):
        m = when("When missing")

    stored = timezone.make_aware(datetime(2026, 7, 1, 8, 5))  # British Summer Time
    html = str(Form(initial={"m": stored})["m"])

    for label in ("Day", "Month", "Year", "Time"):
        assert f">{label}</label>" in html
    assert 'value="08:05"' in html
    assert 'value="2026"' in html
