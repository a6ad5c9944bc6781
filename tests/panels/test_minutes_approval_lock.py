"""The chair's approval renders no PDF: it checks the draft (and the board copy's redaction)
without a lock, then stores the version in a short locked transaction; a draft changed
meanwhile is never stored. The documents are rendered after the commit, from the version's
frozen content, outside any transaction."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from panels import minutes as minutes_services
from panels import minutes_rendering
from panels.models import DocumentKind, Minutes, MinutesStatus, MinutesVersion
from panels.pdf import board_copy, render_minutes
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


def while_checking(monkeypatch, work):
    """Run work() inside the approval's first redaction check of the board copy (of the
    draft as the version it would become: dated, unlike the draft the chair was shown)."""
    calls = []

    def check(doc):
        if doc.approved_on is not None:
            calls.append(doc)
            if len(calls) == 1:
                work()
        return board_copy(doc)

    monkeypatch.setattr(minutes_services, "board_copy", check)
    return calls


def test_the_approval_renders_no_pdf_and_the_rendering_after_it_holds_no_transaction(
    room, submitted, monkeypatch
):
    confirmed = minutes_services.redaction_flag_keys(submitted)  # what the chair was shown
    calls = []
    for module, name in (
        (minutes_services, "board_copy"),
        (minutes_rendering, "board_copy"),
        (minutes_rendering, "render_minutes"),
        (minutes_rendering, "render_board_copy"),
        (minutes_rendering, "render_agency_extract"),
    ):
        real = getattr(module, name)

        def spy(*args, _real=real, _where=f"{module.__name__}.{name}", **kwargs):
            approving = any("minutes_approve" in frame for frame in _stack())
            rendering = any("minutes_render_version" in frame for frame in _stack())
            calls.append((_where, connection.in_atomic_block, approving, rendering))
            return _real(*args, **kwargs)

        monkeypatch.setattr(module, name, spy)

    version = minutes_services.minutes_approve(
        actor=room.people["chair"],
        minutes=submitted,
        revision=submitted.revision,
        confirmed_flags=confirmed,
    )

    assert version.documents.count() == 4  # "inline" in the tests: rendered after the commit
    assert not any(in_transaction for _, in_transaction, *_ in calls)
    # Only the redaction check belongs to the approval; every render to the rendering after it.
    checks = [c for c in calls if c[0] == "panels.minutes.board_copy"]
    renders = [c for c in calls if c[0].startswith("panels.minutes_rendering.")]
    assert len(checks) == 1
    assert len(renders) == 1 + 1 + 1 + 2  # redaction, minutes, board copy, 2 extracts
    assert all(rendering for *_, rendering in renders)


def _stack() -> list[str]:
    import inspect

    return [frame.function for frame in inspect.stack()]


@pytest.mark.postgres
def test_another_connection_can_lock_the_minutes_row_while_the_draft_is_checked(
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

    while_checking(monkeypatch, work)

    approve(room, submitted)

    assert outcome == ["locked"]


def test_an_edit_landing_during_the_check_is_refused_and_no_version_is_stored(
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

    while_checking(monkeypatch, return_edit_and_resubmit)

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

    while_checking(monkeypatch, edit_meanwhile)
    with pytest.raises(minutes_services.StaleMinutes):
        approve(room, submitted)
    minutes = Minutes.objects.get(pk=submitted.pk)

    version = approve(room, minutes)

    full = bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert "GP review by Friday." in text_of(full)
    assert full == render_minutes(meeting_doc_from_data(version.content))
    assert meeting_doc_from_data(version.content).items[0].decision == "GP review by Friday."


def test_a_second_approval_landing_during_the_check_leaves_one_version(
    room, submitted, monkeypatch
):
    while_checking(monkeypatch, lambda: approve(room, Minutes.objects.get(pk=submitted.pk)))

    with pytest.raises(minutes_services.MinutesError, match="Only minutes submitted"):
        approve(room, submitted)

    assert list(MinutesVersion.objects.values_list("number", flat=True)) == [1]
    assert Minutes.objects.get(pk=submitted.pk).status == MinutesStatus.APPROVED


def test_a_check_that_straddles_midnight_is_made_again_with_the_day_of_approval(
    room, submitted, monkeypatch
):
    today = timezone.localdate()
    days = iter([today - timedelta(days=1)])

    class Clock:
        """django.utils.timezone as the approval sees it: the check starts the day before."""

        now = staticmethod(timezone.now)

        @staticmethod
        def localdate(value=None):
            day = next(days, None) if value is None else None
            return day or timezone.localdate(value)

    monkeypatch.setattr(minutes_services, "timezone", Clock)
    calls = while_checking(monkeypatch, lambda: None)

    version = approve(room, submitted)

    assert [doc.approved_on for doc in calls] == [today - timedelta(days=1), today]
    assert version.approved_on == today
    full = bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert full == render_minutes(meeting_doc_from_data(version.content))
    assert meeting_doc_from_data(version.content).approved_on == today
