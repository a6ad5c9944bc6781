"""The one CSV writer for every export the system makes.

A spreadsheet opening a CSV runs a cell that starts with `=`, `+`, `-` or `@` as a formula
(and some also after a leading tab or carriage return), so text a person typed, a name or
an address could call out or leak data (`=HYPERLINK(...)`). Every cell of every export goes
through `inert`, whatever its column.
"""

import csv
from collections.abc import Iterable

from django.http import HttpResponse

from agencies import audit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value) -> str:
    """The cell as text a spreadsheet shows and never runs: a leading single quote when it
    starts like a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(*, filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A CSV download: every cell of the header and the rows made inert."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    writer = csv.writer(response)
    writer.writerow([inert(cell) for cell in header])
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return response


def csv_export_record(*, actor, detail: str, origin: audit.Origin, **about) -> None:
    """Record that a person exported a CSV (the service every export's view calls before it
    answers): `detail` says what, `about` may name the referral, child or object."""
    audit.record(
        actor=actor, action=audit.Action.EXPORTED_CSV, origin=origin, detail=detail, **about
    )
