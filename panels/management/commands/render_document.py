"""Write one of a panel's documents to a file (or stdout), for operators.

    manage.py render_document minutes --meeting 12 --output minutes.pdf
    manage.py render_document board --meeting 12 --version 2 --output board-v2.pdf
    manage.py render_document agency --meeting 12 --agency 3 --output - > police.pdf
    manage.py render_document actionlog --panel 1 --output actions.pdf

No access check (whoever can run manage.py can read the database), but every file written
is recorded in the audit trail.
"""

import hashlib
import io
import re
import sys
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from agencies import audit
from agencies.models import Agency, AuditAction
from panels.documents import action_log_doc_for, meeting_doc_for
from panels.models import (
    DocumentKind,
    Meeting,
    Minutes,
    MinutesDocument,
    MinutesVersion,
    Panel,
)
from panels.pdf import render_action_log, render_agency_extract, render_board_copy, render_minutes
from panels.pdf.layout import long_date
from panels.pdf.serialize import meeting_doc_from_data

KINDS = {
    "minutes": DocumentKind.MINUTES,
    "board": DocumentKind.BOARD_COPY,
    "agency": DocumentKind.AGENCY_EXTRACT,
    "actionlog": None,
}
# The options each kind needs, and those it takes.
NEEDS = {
    "minutes": ("meeting",),
    "board": ("meeting",),
    "agency": ("meeting", "agency"),
    "actionlog": ("panel",),
}
TAKES = {
    "minutes": ("meeting", "version"),
    "board": ("meeting", "version"),
    "agency": ("meeting", "agency", "version"),
    "actionlog": ("panel",),
}


class Command(BaseCommand):
    help = (
        "Write a panel document as a PDF: the minutes, the board copy or one agency's action "
        "extract of a meeting (its working draft, or built from the meeting's record; with "
        "--version, the approved file as stored), or a panel's action log. Prints the file, "
        "its pages and its SHA-256. Recorded in the audit trail."
    )

    def create_parser(self, prog_name, subcommand, **kwargs):
        # --version is this command's approved version number, not Django's version.
        kwargs.setdefault("conflict_handler", "resolve")
        return super().create_parser(prog_name, subcommand, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=list(KINDS), help="Which document.")
        parser.add_argument(
            "--output",
            required=True,
            metavar="FILE",
            help="The file to write, or - for standard output.",
        )
        parser.add_argument("--meeting", type=int, metavar="ID", help="minutes, board, agency")
        parser.add_argument("--agency", type=int, metavar="ID", help="agency: whose actions")
        parser.add_argument("--panel", type=int, metavar="ID", help="actionlog: whose actions")
        parser.add_argument(
            "--version",
            type=int,
            metavar="N",
            help="minutes, board, agency: the approved version N's stored file.",
        )

    def handle(self, *args, **options):
        kind = options["kind"]
        _check_options(kind, options)
        path = _output_path(options["output"])

        if kind == "actionlog":
            panel = _get(Panel, options["panel"], "panel")
            what = f"action log of {panel.name}"
            self._progress(f"Rendering {what} ...")
            pdf = render_action_log(action_log_doc_for(panel=panel))
            audited = panel
        else:
            meeting = _get(Meeting.objects.select_related("panel"), options["meeting"], "meeting")
            agency = _get(Agency, options["agency"], "agency") if kind == "agency" else None
            of = f"{meeting.panel.name} on {long_date(timezone.localdate(meeting.starts_at))}"
            title = {
                "minutes": f"minutes of {of}",
                "board": f"board copy of {of}",
                "agency": f"action extract for {agency.name if agency else ''} from {of}",
            }[kind]
            if options["version"] is not None:
                stored = _stored_document(meeting, options["version"], KINDS[kind], agency)
                what = f"{title} (version {options['version']}, as approved)"
                self._progress(f"Writing {what} ...")
                pdf = bytes(stored.pdf)
                audited = stored
            else:
                doc, source = _draft(meeting)
                what = f"{title} (draft, {source})"
                self._progress(f"Rendering {what} ...")
                if kind == "minutes":
                    pdf = render_minutes(doc)
                elif kind == "board":
                    pdf = render_board_copy(doc)
                else:
                    pdf = render_agency_extract(doc, agency.name)
                audited = meeting

        destination = _write(pdf, path, options)
        pages = _page_count(pdf)
        pages_label = f"{pages} page" if pages == 1 else f"{pages} pages"
        digest = hashlib.sha256(pdf).hexdigest()
        audit.record(
            actor=None,
            action=AuditAction.EXPORTED_PDF,
            obj=audited,
            detail=(
                f"render_document wrote {what} to {destination}: {pages_label}, sha256 {digest}"
            ),
        )
        line = f"{destination}: {pages_label}, sha256 {digest}"
        if path is None:  # standard output carries the PDF
            self._progress(line)
        else:
            self.stdout.write(line)

    def _progress(self, message: str) -> None:
        # On stderr, but not in the error style: it is not an error.
        self.stderr.write(message, style_func=lambda text: text)


# --- Helpers ----------------------------------------------------------------------------------


def _check_options(kind: str, options: dict) -> None:
    for name in NEEDS[kind]:
        if options.get(name) is None:
            raise CommandError(f"render_document {kind} needs --{name} ID.")
    for name in ("meeting", "agency", "panel", "version"):
        if options.get(name) is not None and name not in TAKES[kind]:
            takes = ", ".join(f"--{n}" for n in TAKES[kind])
            raise CommandError(f"render_document {kind} does not take --{name} (it takes {takes}).")
    if options.get("version") is not None and options["version"] < 1:
        raise CommandError("--version is an approved version's number: 1 or more.")


def _output_path(output: str) -> Path | None:
    """The file to write, or None for standard output; refused before any work is done."""
    if output == "-":
        return None
    path = Path(output)
    if path.is_dir():
        raise CommandError(f"--output {output} is a directory: give a file name.")
    if not path.parent.is_dir():
        raise CommandError(f"The directory {path.parent} of --output does not exist.")
    return path


def _get(model_or_queryset, pk: int, what: str):
    queryset = (
        model_or_queryset.objects.all()
        if isinstance(model_or_queryset, type)
        else model_or_queryset
    )
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise CommandError(f"There is no {what} with id {pk}.")
    return found


def _stored_document(meeting: Meeting, number: int, kind: str, agency) -> MinutesDocument:
    if not MinutesVersion.objects.filter(minutes__meeting=meeting, number=number).exists():
        approved = list(
            MinutesVersion.objects.filter(minutes__meeting=meeting)
            .order_by("number")
            .values_list("number", flat=True)
        )
        have = (
            f"approved versions: {', '.join(map(str, approved))}"
            if approved
            else "no approved version"
        )
        raise CommandError(
            f"Meeting {meeting.pk} has no approved version {number} of its minutes ({have})."
        )
    try:
        return MinutesDocument.objects.get(
            version__minutes__meeting_id=meeting.pk,
            version__number=number,
            kind=kind,
            agency=agency,
        )
    except MinutesDocument.DoesNotExist:
        label = DocumentKind(kind).label.lower()
        whose = f" for {agency.name} (agency {agency.pk})" if agency else ""
        raise CommandError(
            f"Version {number} of the minutes of meeting {meeting.pk} has no {label}{whose} stored."
        ) from None


def _draft(meeting: Meeting):
    """The minutes' working draft when there is one, else the meeting's record; a draft
    either way (watermarked), never passed off as the approved file."""
    minutes = Minutes.objects.filter(meeting=meeting).first()
    if minutes is None:
        return meeting_doc_for(meeting=meeting), "built from the meeting's record"
    try:
        doc = meeting_doc_from_data(minutes.content)
    except ValueError as exc:
        raise CommandError(
            f"The minutes draft of meeting {meeting.pk} cannot be read: {exc}"
        ) from None
    return replace(doc, approved_on=None), "from the working minutes"


def _write(pdf: bytes, path: Path | None, options: dict) -> str:
    if path is None:
        stream = options.get("stdout") or sys.stdout
        binary = getattr(stream, "buffer", stream)
        binary.write(pdf)
        binary.flush()
        return "standard output"
    try:
        path.write_bytes(pdf)
    except OSError as exc:
        raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
    return str(path)


def _page_count(pdf: bytes) -> int:
    try:
        from pypdf import PdfReader
    except ImportError:  # a production install without the dev tools: ReportLab's own objects
        return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    return len(PdfReader(io.BytesIO(pdf)).pages)
