"""manage.py render_document: each document written as a valid PDF, the stored approved bytes
with --version, clear errors, and an audit row for every file written."""

import hashlib
import io
import shutil
import subprocess
from dataclasses import replace
from datetime import date

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from agencies.models import AuditAction, AuditEvent
from panels.documents import meeting_doc_for
from panels.models import DocumentKind, Minutes, MinutesDocument, MinutesVersion
from panels.pdf import render_agency_extract, render_board_copy, render_minutes
from panels.pdf.serialize import meeting_doc_to_data
from tests.panels.pdf.conftest import page_texts
from tests.panels.test_documents_builder import PANEL_ONLY, record_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(room):
    return record_meeting(room)


def render(*args, **options):
    """Run the command; (stdout, stderr) as text."""
    out, err = io.StringIO(), io.StringIO()
    call_command("render_document", *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def qpdf_check(path):
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        pytest.skip("qpdf is not installed (apt-get install -y qpdf)")
    result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def options_for(kind, record):
    room = record.room
    return {
        "minutes": {"meeting": record.meeting.pk},
        "board": {"meeting": record.meeting.pk},
        "agency": {"meeting": record.meeting.pk, "agency": room.agencies["school"].pk},
        "actionlog": {"panel": room.panel.pk},
    }[kind]


@pytest.mark.parametrize("kind", ["minutes", "board", "agency", "actionlog"])
def test_each_kind_writes_a_valid_pdf_and_says_where_how_long_and_its_hash(kind, record, tmp_path):
    path = tmp_path / f"{kind}.pdf"

    out, err = render(kind, output=str(path), **options_for(kind, record))

    pdf = path.read_bytes()
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    assert pages >= 1
    label = "1 page" if pages == 1 else f"{pages} pages"
    assert out == f"{path}: {label}, sha256 {hashlib.sha256(pdf).hexdigest()}\n"
    assert err.startswith("Rendering ")
    assert "Room Exploitation Panel" in err
    qpdf_check(path)


def test_the_minutes_are_built_from_the_record_when_none_are_drafted(record, tmp_path):
    path = tmp_path / "minutes.pdf"

    _, err = render("minutes", meeting=record.meeting.pk, output=str(path))

    assert err.startswith("Rendering minutes of Room Exploitation Panel on ")
    assert "built from the meeting's record" in err
    expected = render_minutes(meeting_doc_for(meeting=record.meeting))
    assert path.read_bytes() == expected


def test_the_board_copy_leaves_out_the_child_and_the_panel_only_update(record, tmp_path):
    path = tmp_path / "board.pdf"
    render("board", meeting=record.meeting.pk, output=str(path))
    text = " ".join(page_texts(path.read_bytes()))
    assert "Thackerby" not in text and PANEL_ONLY not in text
    assert "ROOM-0001 (O.T.)" in text


def working_minutes(record, **changes):
    doc = replace(meeting_doc_for(meeting=record.meeting), **changes)
    return Minutes.objects.create(
        meeting=record.meeting,
        content=meeting_doc_to_data(doc),
        drafted_by=record.room.people["coordinator"],
    )


def test_the_working_draft_is_rendered_when_the_minutes_are_drafted(record, tmp_path):
    doc = meeting_doc_for(meeting=record.meeting)
    edited = replace(doc.items[0], decision="EDITED-IN-THE-DRAFT decision")
    # Even a draft that says it is approved is written as a draft: the approved file is the
    # stored one (--version).
    working_minutes(
        record, version="3", approved_on=date(2025, 3, 19), items=(edited, *doc.items[1:])
    )
    path = tmp_path / "minutes.pdf"

    _, err = render("minutes", meeting=record.meeting.pk, output=str(path))

    text = " ".join(page_texts(path.read_bytes()))
    assert "from the working minutes" in err
    assert "EDITED-IN-THE-DRAFT decision" in text
    assert "Version 3 is a draft: not yet approved by the chair." in text
    assert "approved by the chair on" not in text


def test_a_draft_that_cannot_be_read_is_a_command_error(record, tmp_path):
    minutes = working_minutes(record)
    content = dict(minutes.content)
    del content["items"]
    Minutes.objects.filter(pk=minutes.pk).update(content=content)

    with pytest.raises(CommandError, match=r"cannot be read: the document: missing key\(s\) items"):
        render("minutes", meeting=record.meeting.pk, output=str(tmp_path / "x.pdf"))
    assert not (tmp_path / "x.pdf").exists()


def approve(record, number=1, *, without=()):
    """An approved version with its stored documents (but those `without`), as the minutes
    service keeps them."""
    minutes = Minutes.objects.filter(meeting=record.meeting).first() or working_minutes(record)
    doc = replace(
        meeting_doc_for(meeting=record.meeting), version=str(number), approved_on=date(2025, 3, 19)
    )
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=number,
        content=meeting_doc_to_data(doc),
        approved_by=record.room.people["chair"],
        approved_on=date(2025, 3, 19),
    )
    school = record.room.agencies["school"]
    for kind, pdf, agency in [
        (DocumentKind.MINUTES, render_minutes(doc), None),
        (DocumentKind.BOARD_COPY, render_board_copy(doc), None),
        (DocumentKind.AGENCY_EXTRACT, render_agency_extract(doc, school.name), school),
    ]:
        if kind in without:
            continue
        MinutesDocument.objects.create(
            version=version,
            kind=kind,
            agency=agency,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=pdf,
            size=len(pdf),
            pages=len(PdfReader(io.BytesIO(pdf)).pages),
        )
    return version


@pytest.mark.parametrize(
    ("kind", "stored_kind"),
    [
        ("minutes", DocumentKind.MINUTES),
        ("board", DocumentKind.BOARD_COPY),
        ("agency", DocumentKind.AGENCY_EXTRACT),
    ],
)
def test_a_version_writes_the_stored_approved_bytes(kind, stored_kind, record, tmp_path):
    version = approve(record)
    # The working minutes changed since: the stored file is written all the same.
    working = Minutes.objects.get(meeting=record.meeting)
    working.content = {**working.content, "place": "Elsewhere"}
    working.save()
    stored = MinutesDocument.objects.get(version=version, kind=stored_kind)
    path = tmp_path / "approved.pdf"

    out, err = render(kind, version=1, output=str(path), **options_for(kind, record))

    assert path.read_bytes() == bytes(stored.pdf)
    assert out.endswith(f"sha256 {stored.sha256}\n")
    assert err.startswith("Writing ") and "(version 1, as approved)" in err
    qpdf_check(path)


def test_a_missing_version_or_document_is_named(record, tmp_path):
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="has no approved version 1 .*no approved version"):
        render("minutes", meeting=record.meeting.pk, version=1, output=output)

    approve(record)
    with pytest.raises(CommandError, match=r"no approved version 2 of its minutes \(approved "):
        render("board", meeting=record.meeting.pk, version=2, output=output)
    police = record.room.agencies["police"]
    with pytest.raises(
        CommandError,
        match=f"Version 1 .* has no agency action extract for Room Police \\(agency {police.pk}",
    ):
        render("agency", meeting=record.meeting.pk, agency=police.pk, version=1, output=output)
    approve(record, 2, without=(DocumentKind.BOARD_COPY,))
    with pytest.raises(CommandError, match="Version 2 .* meeting .* has no board copy stored"):
        render("board", meeting=record.meeting.pk, version=2, output=output)


def test_standard_output_takes_the_pdf_and_the_summary_goes_to_stderr(record):
    out, err = io.BytesIO(), io.StringIO()

    call_command(
        "render_document",
        "actionlog",
        panel=record.room.panel.pk,
        output="-",
        stdout=out,
        stderr=err,
    )

    pdf = out.getvalue()
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    assert "standard output: 1 page, sha256 " in err.getvalue()
    assert hashlib.sha256(pdf).hexdigest() in err.getvalue()


def test_each_file_written_is_audited(record, tmp_path):
    path = tmp_path / "board.pdf"
    render("board", meeting=record.meeting.pk, output=str(path))
    render("actionlog", panel=record.room.panel.pk, output=str(tmp_path / "log.pdf"))

    board, log = AuditEvent.objects.filter(action=AuditAction.EXPORTED_PDF).order_by("pk")
    assert board.actor is None
    assert (board.object_type, board.object_id) == ("panels.meeting", str(record.meeting.pk))
    assert board.detail.startswith("render_document wrote board copy of Room Exploitation Panel")
    assert str(path) in board.detail
    assert hashlib.sha256(path.read_bytes()).hexdigest() in board.detail
    assert (log.object_type, log.object_id) == ("panels.panel", str(record.room.panel.pk))

    approve(record)
    render("minutes", meeting=record.meeting.pk, version=1, output=str(path))
    stored = AuditEvent.objects.filter(action=AuditAction.EXPORTED_PDF).latest("pk")
    assert stored.object_type == "panels.minutesdocument"
    assert "(version 1, as approved)" in stored.detail


@pytest.mark.parametrize(
    ("args", "options", "message"),
    [
        (["minutes"], {}, "render_document minutes needs --meeting ID"),
        (["agency"], {"meeting": 1}, "render_document agency needs --agency ID"),
        (["actionlog"], {}, "render_document actionlog needs --panel ID"),
        (["minutes"], {"meeting": 1, "panel": 1}, "minutes does not take --panel"),
        (["board"], {"meeting": 1, "agency": 1}, "board does not take --agency"),
        (["actionlog"], {"panel": 1, "meeting": 1}, "actionlog does not take --meeting"),
        (["actionlog"], {"panel": 1, "version": 1}, "actionlog does not take --version"),
        (["minutes"], {"meeting": 1, "version": 0}, "--version .* 1 or more"),
        (["leaflet"], {"meeting": 1}, "invalid choice: 'leaflet'"),
    ],
)
def test_a_wrong_combination_is_a_command_error(args, options, message, tmp_path):
    with pytest.raises(CommandError, match=message):
        render(*args, output=str(tmp_path / "x.pdf"), **options)
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_PDF).exists()


def test_missing_records_and_places_are_command_errors(record, tmp_path):
    output = str(tmp_path / "x.pdf")
    with pytest.raises(CommandError, match="There is no meeting with id 999999"):
        render("minutes", meeting=999999, output=output)
    with pytest.raises(CommandError, match="There is no panel with id 999999"):
        render("actionlog", panel=999999, output=output)
    with pytest.raises(CommandError, match="There is no agency with id 999999"):
        render("agency", meeting=record.meeting.pk, agency=999999, output=output)
    with pytest.raises(CommandError, match="directory .*nowhere of --output does not exist"):
        render("minutes", meeting=record.meeting.pk, output=str(tmp_path / "nowhere" / "x.pdf"))
    with pytest.raises(CommandError, match="is a directory"):
        render("minutes", meeting=record.meeting.pk, output=str(tmp_path))
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_PDF).exists()
