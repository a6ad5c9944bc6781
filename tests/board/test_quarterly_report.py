"""The quarterly performance report: the dashboard's figures in a PDF for the board, kept as
immutable versions, made on demand or by the scheduled command."""

import io
import re
import subprocess

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from pypdf import PdfReader

import access
from agencies.models import AuditEvent
from board import selectors, services
from board.models import QuarterlyReport
from board.periods import period_from
from board.report_data import figures_to_data
from referrals.models import Referral
from tests.board.conftest import SECRETS, TODAY


def text_of(pdf: bytes) -> str:
    """The PDF's text, with its whitespace (line breaks between cells) made single spaces."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


def make(quarter, **kwargs):
    kwargs.setdefault("actor", quarter.people["board"])
    return services.quarterly_report_make(
        panel=quarter.panel, quarter="2025-Q3", today=TODAY, **kwargs
    )


def board_dashboard(quarter):
    filters = selectors.Filters(
        access.dashboard_oversight(quarter.people["board"]), period_from("2025-Q3")
    )
    return selectors.dashboard(filters, today=TODAY)


def test_the_report_keeps_the_figures_of_the_board_members_dashboard(quarter):
    report, made = make(quarter)

    assert made and report.version == 1
    assert report.figures == figures_to_data(board_dashboard(quarter))


def test_the_pdf_prints_each_figure_and_each_row_of_its_table(quarter):
    report, _ = make(quarter)
    text = text_of(report.pdf)

    for figure in board_dashboard(quarter):
        assert " ".join(figure.title.split()) in text
        for row in figure.rows:
            assert " ".join(str(cell) for cell in row) in text, (figure.key, row)


def test_the_pdf_prints_the_hand_counted_answers(quarter):
    report, _ = make(quarter)
    text = text_of(report.pdf)

    assert "Police 0 1 0 1" in text  # referrals by agency: one in August
    assert "School 1 0 1 2" in text
    assert "Q3 2025 3 2 66.7% 14.0" in text  # decisions within clock, bank holiday skipped
    assert "Q3 2025 3 1 33.3%" in text  # a repeat at 11 months, none at 13
    assert "School 2 1 0 1 2.0" in text  # overdue on 30 September: 2 working days
    assert "Team East Children's Services 2 4 2 2.0 1" in text  # after a reallocation


def test_every_page_is_marked_official_sensitive_and_numbered(quarter):
    report, _ = make(quarter)
    pages = PdfReader(io.BytesIO(report.pdf)).pages

    assert report.pages == len(pages)
    for number, page in enumerate(pages, start=1):
        text = page.extract_text()
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # header and footer
        assert f"Page {number} of {len(pages)}" in text


def test_the_pdf_names_no_child_no_birth_date_no_address_no_school_no_reference(quarter):
    report, _ = make(quarter)
    text = text_of(report.pdf)

    for secret in SECRETS:
        assert secret not in text
        assert secret.encode() not in report.pdf


def test_qpdf_finds_the_pdf_sound(quarter, tmp_path):
    report, _ = make(quarter)
    path = tmp_path / "report.pdf"
    path.write_bytes(report.pdf)

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)

    assert check.returncode == 0, check.stdout + check.stderr


def test_the_version_keeps_its_hash_size_and_maker(quarter):
    import hashlib

    report, _ = make(quarter)

    assert report.sha256 == hashlib.sha256(report.pdf).hexdigest()
    assert report.size == len(report.pdf)
    assert report.made_by == quarter.people["board"]
    assert AuditEvent.objects.filter(
        action="created", object_type="board.quarterlyreport", object_id=str(report.pk)
    ).exists()


# --- Versions --------------------------------------------------------------------------------


def test_making_it_again_with_the_same_figures_makes_no_new_version(quarter, coordinator_p):
    first, _ = make(quarter)

    again, made = make(quarter, actor=quarter.people["coordinator_p"])

    assert not made and again.pk == first.pk
    assert QuarterlyReport.objects.count() == 1


def test_a_changed_figure_makes_a_new_version_and_leaves_the_old_one_as_it_was(quarter):
    first, _ = make(quarter)
    old_bytes = bytes(first.pdf)
    base = quarter.referrals["r2"]
    Referral.objects.create(
        reference="BRD-LATE",
        child=base.child,
        agency=quarter.school,
        referrer=base.referrer,
        hub=quarter.panel,
        state=base.state,
        submitted_at=base.submitted_at,
        categories=["cce"],
    )

    second, made = make(quarter)

    assert made and second.version == 2
    kept = QuarterlyReport.objects.get(pk=first.pk)
    assert bytes(kept.pdf) == old_bytes and kept.sha256 == first.sha256
    assert "School 2 0 1 3" in text_of(second.pdf)


def test_a_version_cannot_be_changed_or_deleted(quarter):
    report, _ = make(quarter)

    with pytest.raises(PermissionError):
        report.save()
    with pytest.raises(PermissionError):
        report.delete()
    with pytest.raises(PermissionError):
        QuarterlyReport.objects.filter(pk=report.pk).update(version=9)
    with pytest.raises(PermissionError):
        QuarterlyReport.objects.filter(pk=report.pk).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_an_update_or_delete_in_the_database_itself(quarter):
    report, _ = make(quarter)

    for sql in (
        "UPDATE board_quarterlyreport SET version = 9 WHERE id = %s",
        "DELETE FROM board_quarterlyreport WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [report.pk])


def test_a_quarter_not_yet_ended_is_refused(quarter):
    with pytest.raises(services.ReportError):
        services.quarterly_report_make(
            actor=None, panel=quarter.panel, quarter="2025-Q4", today=TODAY
        )


# --- The scheduled command -------------------------------------------------------------------


def test_the_command_makes_a_version_once_and_again_only_after_a_change(quarter):
    out = io.StringIO()

    call_command("make_quarterly_report", "--quarter", "2025Q3", stdout=out)
    call_command("make_quarterly_report", "--quarter", "2025Q3", stdout=out)

    report = QuarterlyReport.objects.get()
    assert report.version == 1 and report.made_by is None and report.quarter == "2025-Q3"
    assert re.search(r"unchanged since version 1", out.getvalue())
    assert "by the scheduled run" in text_of(report.pdf)

    Referral.objects.filter(pk=quarter.referrals["r3"].pk).update(categories=["cce"])
    call_command("make_quarterly_report", "--quarter", "2025-Q3", stdout=out)

    assert list(QuarterlyReport.objects.order_by("version").values_list("version", flat=True)) == [
        1,
        2,
    ]


def test_the_command_refuses_a_quarter_it_cannot_read(quarter):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("make_quarterly_report", "--quarter", "Q3-2025")
