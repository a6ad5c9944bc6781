"""The documents of an approved version of the minutes, rendered after the approval has
committed, from the version's frozen content: the full minutes, the board copy and one action
extract per agency with actions, each stored with its SHA-256 and page count; then, and only
then, the board copy goes to the board and the full minutes to the meeting's participants.

The chair's approval (`panels.minutes.minutes_approve`) does not wait for the rendering
(about 2 s of CPU for a 40-case meeting). `settings.MINUTES_RENDERING` says how it runs:

- "background": the version's id goes to this process's one rendering thread, which renders
  one version at a time and closes its database connection after each;
- "inline" (the tests): rendered in the approval's call, right after its commit.

A version whose documents were never stored (the process stopped, the render failed) is
rendered by `manage.py render_minutes_documents`, which `send_reminders` runs every few
minutes. Rendering is idempotent: the documents are stored under a lock on the version's row,
only if none is stored yet, so two workers at once store one set and tell people once.
"""

from __future__ import annotations

import hashlib
import io
import logging
import queue
import threading
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from pypdf import PdfReader

import access
from agencies import audit
from agencies.models import Agency, AuditAction
from notifications import services as notification_services
from notifications.models import NotificationKind
from panels.documents import agencies_with_actions, approved_twin_path, twin_url
from panels.models import DocumentKind, Meeting, MinutesDocument, MinutesVersion
from panels.pdf import board_copy, render_agency_extract, render_board_copy, render_minutes
from panels.pdf.serialize import meeting_doc_from_data

logger = logging.getLogger(__name__)

MODES = ("background", "inline")
# A version younger than this may still be in a rendering thread's hands: the recovery
# command leaves it to that thread.
RECOVERY_AFTER = timedelta(seconds=10)


def minutes_link(meeting: Meeting) -> str:
    """The minutes page, as a notification links to it."""
    return f"/meetings/{meeting.pk}/minutes/"


def meeting_day(meeting: Meeting) -> str:
    day = timezone.localdate(meeting.starts_at)
    return f"{day.day} {day:%B} {day.year}"


# --- Rendering and storing one version ------------------------------------------------------


@dataclass(frozen=True)
class RenderedPdf:
    """One approved document, rendered, hashed and page-counted before anything is locked."""

    kind: str
    pdf: bytes
    sha256: str
    pages: int
    agency: Agency | None = None


def _rendered(kind: str, pdf: bytes, agency: Agency | None = None) -> RenderedPdf:
    return RenderedPdf(
        kind=kind,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        pages=len(PdfReader(io.BytesIO(pdf)).pages),
        agency=agency,
    )


def render_version_documents(version: MinutesVersion) -> list[RenderedPdf]:
    """Every document of an approved version, from its stored content alone: the same bytes
    whenever and wherever it is rendered (the documents are deterministic)."""
    doc = meeting_doc_from_data(version.content)
    board_doc, _flags = board_copy(doc)
    pdfs = [
        _rendered(DocumentKind.MINUTES, render_minutes(doc)),
        _rendered(DocumentKind.BOARD_COPY, render_board_copy(board_doc)),
    ]
    meeting_id = version.minutes.meeting_id
    pdfs += [
        _rendered(
            DocumentKind.AGENCY_EXTRACT,
            render_agency_extract(
                doc,
                agency.name,
                twin_url=twin_url(
                    approved_twin_path(
                        meeting_id=meeting_id,
                        number=version.number,
                        kind=DocumentKind.AGENCY_EXTRACT,
                        agency_id=agency.pk,
                    )
                ),
            ),
            agency,
        )
        for agency in agencies_with_actions(doc=doc)
    ]
    return pdfs


def minutes_render_version(*, version_id: int) -> bool:
    """Render and store the documents of an approved version, then send them out; False when
    they were stored already (by another worker, or an earlier try).

    Call it outside any transaction. The rendering holds no lock and no transaction; a short
    durable transaction then locks the version's row, checks again that it has no documents,
    stores them all and queues the distribution. A failure anywhere stores nothing: the
    version stays without documents and is rendered again by `render_minutes_documents`."""
    version = MinutesVersion.objects.select_related("minutes__meeting__panel").get(pk=version_id)
    if version.documents.exists():
        return False
    return _store(version_id=version.pk, pdfs=render_version_documents(version))


@transaction.atomic(durable=True)
def _store(*, version_id: int, pdfs: list[RenderedPdf]) -> bool:
    # MinutesDocument's unique constraints (one of each kind, one extract per agency) stop a
    # second set too, should two transactions ever pass this check together.
    version = (
        MinutesVersion.objects.select_for_update()
        .select_related("minutes__meeting__panel")
        .get(pk=version_id)
    )
    if version.documents.exists():
        return False
    stored = [
        MinutesDocument.objects.create(
            version=version,
            kind=pdf.kind,
            agency=pdf.agency,
            sha256=pdf.sha256,
            pdf=pdf.pdf,
            size=len(pdf.pdf),
            pages=pdf.pages,
        )
        for pdf in pdfs
    ]
    meeting = version.minutes.meeting
    audit.record(
        actor=None,
        action=AuditAction.CREATED,
        obj=version,
        detail=f"Documents of the minutes of panel meeting {meeting.pk}, version "
        f"{version.number}, stored: {len(stored)} PDFs, "
        f"{sum(document.pages for document in stored)} pages",
    )
    board = next(document for document in stored if document.kind == DocumentKind.BOARD_COPY)
    _distribute(version, board)
    return True


def _distribute(version: MinutesVersion, board: MinutesDocument) -> None:
    """The board copy to the board members overseeing the panel (an email each, always;
    attached only when the panel says so), the full minutes to the meeting's participants."""
    meeting = version.minutes.meeting
    panel = meeting.panel
    what = f"{panel.name} on {meeting_day(meeting)}, version {version.number}"
    notification_services.notify(
        recipients=access.users_to_receive_board_copy(panel),
        kind=NotificationKind.MINUTES_APPROVED,
        message=f"The approved board copy of the minutes of {what} is available.",
        link="/board/",
        dedupe_key=f"minutes-version-{version.pk}-board",
        email_required=True,
        attachment=board if panel.board_copy_attached else None,
    )
    notification_services.notify(
        recipients=access.users_to_receive_full_minutes(meeting),
        kind=NotificationKind.MINUTES_APPROVED,
        message=f"The approved minutes of {what} are available.",
        link=minutes_link(meeting),
        dedupe_key=f"minutes-version-{version.pk}-full",
    )


# --- After the approval's commit ----------------------------------------------------------------


def minutes_rendering_start(*, version_id: int) -> None:
    """Have the documents of a version just approved rendered, as MINUTES_RENDERING says.
    Call it after the approval has committed: the worker must find the version's row."""
    mode = settings.MINUTES_RENDERING
    if mode == "inline":
        minutes_render_version(version_id=version_id)
    elif mode == "background":
        _worker.put(version_id)
    else:
        raise ImproperlyConfigured(f"MINUTES_RENDERING must be one of {MODES}, not {mode!r}.")


class _RenderingThread:
    """One daemon thread a process, started at its first job, rendering one version at a time
    (a second would only share the same cores). A job lost with the process is found again by
    render_minutes_documents."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[int] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._idle = threading.Condition()
        self._unfinished = 0

    def put(self, version_id: int) -> None:
        with self._idle:
            self._unfinished += 1
        self._jobs.put(version_id)
        with self._start_lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="minutes-rendering", daemon=True
                )
                self._thread.start()

    def wait_until_idle(self, timeout: float) -> bool:
        """True once every job put so far is done; False if some are left after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._unfinished:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            version_id = self._jobs.get()
            try:
                close_old_connections()
                minutes_render_version(version_id=version_id)
            except Exception:
                # Left without documents: render_minutes_documents renders it again.
                logger.exception("Rendering the documents of minutes version %s failed", version_id)
            finally:
                # No connection kept between jobs: the next job may come hours later.
                connection.close()
                with self._idle:
                    self._unfinished -= 1
                    self._idle.notify_all()


_worker = _RenderingThread()


def wait_for_background_rendering(timeout: float = 60.0) -> bool:
    """Wait until this process's rendering thread has done every job given to it so far
    (a command about to exit, a test, the benchmark); True when it has."""
    return _worker.wait_until_idle(timeout)


# --- Recovery -----------------------------------------------------------------------------------


def versions_without_documents(*, approved_before=None) -> QuerySet[MinutesVersion]:
    """Approved versions with no document stored (approved before `approved_before` when
    given), oldest first."""
    versions = MinutesVersion.objects.filter(
        ~Exists(MinutesDocument.objects.filter(version=OuterRef("pk")))
    )
    if approved_before is not None:
        versions = versions.filter(approved_at__lt=approved_before)
    return versions.order_by("approved_at", "pk")


@dataclass(frozen=True)
class PendingRendered:
    rendered: int
    failed: int


def minutes_render_pending(*, older_than: timedelta | None = None) -> PendingRendered:
    """Render every approved version left without documents for longer than `older_than`
    (RECOVERY_AFTER when not given). A failure is logged and left for the next run; the
    others are rendered all the same."""
    rendered = failed = 0
    cutoff = timezone.now() - (RECOVERY_AFTER if older_than is None else older_than)
    for version_id in list(
        versions_without_documents(approved_before=cutoff).values_list("pk", flat=True)
    ):
        try:
            rendered += minutes_render_version(version_id=version_id)
        except Exception:
            logger.exception("Rendering the documents of minutes version %s failed", version_id)
            failed += 1
    return PendingRendered(rendered=rendered, failed=failed)
