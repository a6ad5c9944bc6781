"""The GOV.UK date input (day, month and year boxes) as one form field, for the meeting room's
command forms. The page's form sends `<name>_0`, `<name>_1` and `<name>_2`; a socket or API
client may send one ISO date as `<name>` instead. Each message names the date, as the
GOV.UK pattern asks ("Due date must include a month")."""

import re
from datetime import date

from django import forms
from django.core.exceptions import ValidationError

PARTS = ("day", "month", "year")
_NUMBER = re.compile(r"^[0-9]+$")


class DayMonthYearWidget(forms.Widget):
    """Reads (day, month, year) from the three boxes, or from one ISO date."""

    def value_from_datadict(self, data, files, name):
        parts = tuple(str(data.get(f"{name}_{index}") or "").strip() for index in range(3))
        if any(parts):
            return parts
        whole = str(data.get(name) or "").strip()
        if not whole:
            return ("", "", "")
        try:
            day = date.fromisoformat(whole)
        except ValueError:
            return (whole, whole, whole)  # refused below as not a real date
        return (str(day.day), str(day.month), str(day.year))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and not any(f"{name}_{index}" in data for index in range(3))


class DayMonthYearField(forms.Field):
    """A date typed as day, month and year; `noun` names it in messages ("Due date")."""

    widget = DayMonthYearWidget

    def __init__(self, *, noun: str, required_message: str, **kwargs):
        super().__init__(**kwargs)
        self.noun = noun
        self.error_messages["required"] = required_message

    def to_python(self, value):
        parts = tuple(value or ("", "", ""))
        if not any(parts):
            return None
        missing = [name for name, part in zip(PARTS, parts, strict=True) if not part]
        if missing:
            raise ValidationError(
                f"{self.noun} must include a {' and a '.join(missing)}", code="incomplete"
            )
        if not all(_NUMBER.match(part) for part in parts):
            raise ValidationError(f"{self.noun} must be a real date", code="invalid")
        day, month, year = parts
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="year_length")
        try:
            return date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid") from None

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")
