"""The chair's approval renders its PDFs before it locks the minutes row: edits of the minutes
never wait for the rendering, and a draft changed while it was rendered is never stored with
documents of the older text."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from panels import minutes as minutes_services
from panels.models import DocumentKind, Minutes, MinutesStatus, MinutesVersion
from panels.pdf import render_minutes
from panels.pdf.serialize import meeting_doc_from_data
from tests.panels.test_minutes import build_minuted_room, edit, text_of

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(transactional_db):
    return build_minuted_room()


@pytest.fixture
def submitted(room):
    minutes = minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    return minutes


def approve(room, minutes, *, revision=None):
    return minutes_services.minutes_approve(
        actor=room.people["chair"],
        minutes=minutes,
        revision=minutes.revision if revision is None else revision,
        confirmed_flags=minutes_services.redaction_flag_keys(minutes),
    )


def while_rendering(monkeypatch, work):
    """Run work() inside the approval's first render of the full minutes."""
    calls = []

    def render(doc):
        calls.append(doc)
        if len(calls) == 1:
            work()
        return render_minutes(doc)

    monkeypatch.setattr(minutes_services, "render_minutes", render)
    return calls


def test_every_pdf_is_rendered_outside_any_transaction(room, submitted, monkeypatch):
    confirmed = minutes_services.redaction_flag_keys(submitted)  # what the chair was shown
    in_transaction = []
    for name in ("render_minutes", "render_board_copy", "render_agency_extract", "board_copy"):
        real = getattr(minutes_services, name)

        def spy(*args, _real=real, **kwargs):
            in_transaction.append(connection.in_atomic_block)
            return _real(*args, **kwargs)

        monkeypatch.setattr(minutes_services, name, spy)

    version = minutes_services.minutes_approve(
        actor=room.people["chair"],
        minutes=submitted,
        revision=submitted.revision,
        confirmed_flags=confirmed,
    )

    assert version.documents.count() == 4
    assert len(in_transaction) == 1 + 1 + 1 + 2  # redaction, minutes, board copy, 2 extracts
    assert not any(in_transaction)


@pytest.mark.postgres
def test_another_connection_can_lock_the_minutes_row_while_the_pdfs_render(
    room, submitted, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks from another connection need PostgreSQL")
    outcome = []

    def lock_from_another_connection():
        try:
            with transaction.atomic():
                Minutes.objects.select_for_update(nowait=True).get(pk=submitted.pk)
            outcome.append("locked")
        except Exception as exc:  # the outcome is what the test checks
            outcome.append(exc)
        finally:
            connections.close_all()

    def work():
        thread = threading.Thread(target=lock_from_another_connection)
        thread.start()
        thread.join(timeout=30)

    while_rendering(monkeypatch, work)

    approve(room, submitted)

    assert outcome == ["locked"]


def test_an_edit_landing_during_the_render_is_refused_and_no_version_is_stored(
    room, submitted, monkeypatch
):
    coordinator = room.people["coordinator"]

    def return_edit_and_resubmit():
        minutes_services.minutes_return(
            actor=room.people["chair"], minutes=submitted, comments="Say when the review is."
        )
        minutes = Minutes.objects.get(pk=submitted.pk)
        edit(room, minutes, decision="Strategy discussion; GP review by Friday.")
        minutes_services.minutes_submit(actor=coordinator, minutes=minutes)

    while_rendering(monkeypatch, return_edit_and_resubmit)

    with pytest.raises(minutes_services.StaleMinutes, match="changed after you opened them"):
        approve(room, submitted)

    assert not MinutesVersion.objects.exists()
    minutes = Minutes.objects.get(pk=submitted.pk)
    assert minutes.status == MinutesStatus.SUBMITTED
    assert minutes.revision == submitted.revision + 1
    assert minutes.content["items"][0]["decision"] == "Strategy discussion; GP review by Friday."


def test_after_the_refusal_the_chair_approves_the_newer_text_and_its_pdfs_show_it(
    room, submitted, monkeypatch
):
    def edit_meanwhile():
        minutes_services.minutes_return(
            actor=room.people["chair"], minutes=submitted, comments="Say when the review is."
        )
        minutes = Minutes.objects.get(pk=submitted.pk)
        edit(room, minutes, decision="GP review by Friday.")
        minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)

    while_rendering(monkeypatch, edit_meanwhile)
    with pytest.raises(minutes_services.StaleMinutes):
        approve(room, submitted)
    minutes = Minutes.objects.get(pk=submitted.pk)

    version = approve(room, minutes)

    full = bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert "GP review by Friday." in text_of(full)
    assert full == render_minutes(meeting_doc_from_data(version.content))
    assert meeting_doc_from_data(version.content).items[0].decision == "GP review by Friday."


def test_a_second_approval_landing_during_the_render_leaves_one_version(
    room, submitted, monkeypatch
):
    while_rendering(monkeypatch, lambda: approve(room, Minutes.objects.get(pk=submitted.pk)))

    with pytest.raises(minutes_services.MinutesError, match="Only minutes submitted"):
        approve(room, submitted)

    assert list(MinutesVersion.objects.values_list("number", flat=True)) == [1]
    assert Minutes.objects.get(pk=submitted.pk).status == MinutesStatus.APPROVED


def test_a_render_that_straddles_midnight_is_rendered_again_with_the_day_of_approval(
    room, submitted, monkeypatch
):
    today = timezone.localdate()
    days = iter([today - timedelta(days=1)])

    class Clock:
        """django.utils.timezone as the approval sees it: the render starts the day before."""

        now = staticmethod(timezone.now)

        @staticmethod
        def localdate(value=None):
            day = next(days, None) if value is None else None
            return day or timezone.localdate(value)

    monkeypatch.setattr(minutes_services, "timezone", Clock)
    calls = while_rendering(monkeypatch, lambda: None)

    version = approve(room, submitted)

    assert [doc.approved_on for doc in calls] == [today - timedelta(days=1), today]
    assert version.approved_on == today
    full = bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert full == render_minutes(meeting_doc_from_data(version.content))
