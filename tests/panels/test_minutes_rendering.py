"""An approved version's documents are rendered after the approval's commit, from the
version's frozen content: once (two workers at once store one set and tell people once),
nothing half-stored when a render fails, and a version left without documents is rendered by
the recovery command that send_reminders runs. In "background" mode the chair's call returns
before the rendering, which this process's rendering thread does."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command

from agencies.models import AuditEvent
from notifications.models import EmailDelivery, Notification, NotificationKind
from panels import minutes as minutes_services
from panels import minutes_rendering
from panels.models import DocumentKind, MinutesDocument, MinutesVersion
from panels.pdf import render_board_copy, render_minutes
from panels.pdf.serialize import meeting_doc_from_data
from tests.panels.test_minutes import build_minuted_room


def submit(room):
    minutes = minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    return minutes


def approve(room, minutes):
    return minutes_services.minutes_approve(
        actor=room.people["chair"],
        minutes=minutes,
        revision=minutes.revision,
        confirmed_flags=minutes_services.redaction_flag_keys(minutes),
    )


def approve_unrendered(room, monkeypatch) -> MinutesVersion:
    """Approved, as if the process had stopped before its rendering thread took the version."""
    with monkeypatch.context() as patch:
        patch.setattr(minutes_rendering, "minutes_rendering_start", lambda **kwargs: None)
        return approve(room, submit(room))


@pytest.fixture
def counted_distributions(monkeypatch):
    calls = []
    real = minutes_rendering._distribute

    def counting(version, board):
        calls.append(version.pk)
        return real(version, board)

    monkeypatch.setattr(minutes_rendering, "_distribute", counting)
    return calls


def approved_notices(room):
    return Notification.objects.filter(
        kind=NotificationKind.MINUTES_APPROVED, recipient=room.people["board"]
    )


@pytest.fixture
def room(db, django_capture_on_commit_callbacks):
    return build_minuted_room()


def test_the_approval_stores_the_version_with_no_documents_and_tells_nobody_yet(room, monkeypatch):
    version = approve_unrendered(room, monkeypatch)

    assert version.number == 1
    assert not version.documents.exists()
    assert not Notification.objects.filter(kind=NotificationKind.MINUTES_APPROVED).exists()
    assert list(minutes_rendering.versions_without_documents()) == [version]


def test_the_documents_are_rendered_from_the_versions_content_then_sent_out(
    room, monkeypatch, counted_distributions
):
    version = approve_unrendered(room, monkeypatch)

    assert minutes_rendering.minutes_render_version(version_id=version.pk) is True

    doc = meeting_doc_from_data(version.content)
    assert render_minutes(doc) == bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert render_board_copy(doc) == bytes(version.documents.get(kind=DocumentKind.BOARD_COPY).pdf)
    assert version.documents.filter(kind=DocumentKind.AGENCY_EXTRACT).count() == 2
    assert counted_distributions == [version.pk]
    assert approved_notices(room).count() == 1
    assert AuditEvent.objects.filter(
        object_id=str(version.pk), detail__contains="stored: 4 PDFs"
    ).exists()


def test_a_version_rendered_again_stores_nothing_more_and_tells_nobody_twice(
    room, counted_distributions
):
    version = approve(room, submit(room))  # "inline" in the tests: rendered already
    first = set(version.documents.values_list("pk", "sha256"))

    assert minutes_rendering.minutes_render_version(version_id=version.pk) is False

    assert set(version.documents.values_list("pk", "sha256")) == first
    assert counted_distributions == [version.pk]
    assert approved_notices(room).count() == 1


def test_a_failed_render_stores_nothing_and_the_recovery_renders_it_later(
    room, monkeypatch, counted_distributions
):
    version = approve_unrendered(room, monkeypatch)

    def broken(doc, *args, **kwargs):
        raise RuntimeError("the renderer fell over")

    with monkeypatch.context() as patch:
        patch.setattr(minutes_rendering, "render_agency_extract", broken)
        with pytest.raises(RuntimeError):
            minutes_rendering.minutes_render_version(version_id=version.pk)
        failed = minutes_rendering.minutes_render_pending(older_than=timedelta(0))

    assert failed == minutes_rendering.PendingRendered(rendered=0, failed=1)
    assert not MinutesDocument.objects.exists()
    assert counted_distributions == []
    assert not approved_notices(room).exists()

    done = minutes_rendering.minutes_render_pending(older_than=timedelta(0))

    assert done == minutes_rendering.PendingRendered(rendered=1, failed=0)
    assert version.documents.count() == 4
    assert counted_distributions == [version.pk]


def test_the_recovery_command_leaves_a_version_younger_than_its_wait(room, monkeypatch):
    version = approve_unrendered(room, monkeypatch)

    call_command("render_minutes_documents")  # 10 s by default: the thread may have it
    assert not version.documents.exists()

    call_command("render_minutes_documents", "--older-than", "0")
    assert version.documents.count() == 4


def test_send_reminders_renders_a_version_left_without_documents_and_emails_the_board(
    room, monkeypatch, mailoutbox
):
    version = approve_unrendered(room, monkeypatch)
    monkeypatch.setattr(minutes_rendering, "RECOVERY_AFTER", timedelta(0))

    call_command("send_reminders")

    assert version.documents.count() == 4
    delivery = EmailDelivery.objects.get(notification__in=approved_notices(room))
    assert delivery.sent_at is not None
    assert ["board@example.invalid"] in [m.to for m in mailoutbox]


# --- Two workers, and the background thread: committed data, other connections ---------------


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_store_one_set_and_tell_people_once(
    transactional_db, monkeypatch, counted_distributions
):
    room = build_minuted_room()
    version = approve_unrendered(room, monkeypatch)
    both_rendered = threading.Barrier(2, timeout=60)
    real = minutes_rendering.render_version_documents

    def render_then_wait(version):
        pdfs = real(version)
        both_rendered.wait()  # neither stores before both have rendered
        return pdfs

    monkeypatch.setattr(minutes_rendering, "render_version_documents", render_then_wait)
    results = []

    def worker():
        try:
            results.append(minutes_rendering.minutes_render_version(version_id=version.pk))
        except Exception as exc:  # the outcome is what the test checks
            results.append(exc)
        finally:
            from django.db import connection

            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(results) == [False, True]
    assert version.documents.count() == 4
    assert counted_distributions == [version.pk]
    assert approved_notices(room).count() == 1


@pytest.mark.django_db(transaction=True)
def test_in_the_background_the_approval_returns_first_and_the_thread_stores_the_documents(
    transactional_db, settings, monkeypatch, counted_distributions
):
    settings.MINUTES_RENDERING = "background"
    room = build_minuted_room()
    minutes = submit(room)
    go = threading.Event()
    rendered_in = []
    real = minutes_rendering.render_version_documents

    def held_until_go(version):
        rendered_in.append(threading.current_thread().name)
        assert go.wait(timeout=60)
        return real(version)

    monkeypatch.setattr(minutes_rendering, "render_version_documents", held_until_go)

    version = approve(room, minutes)

    assert not version.documents.exists()  # the call returned before the documents exist
    assert not approved_notices(room).exists()
    go.set()
    assert minutes_rendering.wait_for_background_rendering(timeout=120)
    assert rendered_in == ["minutes-rendering"]  # the rendering thread, not the chair's call
    assert version.documents.count() == 4
    assert counted_distributions == [version.pk]
    assert approved_notices(room).count() == 1
