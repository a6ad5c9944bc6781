"""Typed into a meeting's notes and updates, no spelling of a child's name reaches the
approved board copy: each is removed, or approval waits until the chair confirms the flag."""

import io

import pytest
from pypdf import PdfReader

from panels import minutes as minutes_services
from panels.models import DocumentKind, MinutesDocument, MinutesStatus
from panels.pdf.redaction import flag_key
from tests.documents.spellings import leaks


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_no_spelling_of_the_childs_name_reaches_the_approved_board_copy(
    submitted, django_capture_on_commit_callbacks
):
    minutes = submitted.minutes
    flags = minutes_services.redaction_flags(minutes)
    with django_capture_on_commit_callbacks(execute=True):
        version = minutes_services.minutes_approve(
            actor=submitted.people["chair"],
            minutes=minutes,
            revision=minutes.revision,
            confirmed_flags=[flag_key(flag) for flag in flags],
        )

    board = MinutesDocument.objects.get(version=version, kind=DocumentKind.BOARD_COPY)
    full = MinutesDocument.objects.get(version=version, kind=DocumentKind.MINUTES)
    board_text = text_of(bytes(board.pdf))
    assert leaks(board_text) == []
    assert "Fenmarsh Police attended." in board_text  # the town is not an address word
    assert leaks(text_of(bytes(full.pdf)))  # the full minutes print the names as typed


def test_approval_waits_until_the_chair_confirms_each_flag(flagged):
    minutes = flagged.minutes
    chair = flagged.people["chair"]
    flags = minutes_services.redaction_flags(minutes)
    assert len(flags) >= 2
    keys = [flag_key(flag) for flag in flags]

    for confirmed in ([], keys[:1], keys[1:]):
        with pytest.raises(minutes_services.MinutesError, match="not confirmed"):
            minutes_services.minutes_approve(
                actor=chair, minutes=minutes, revision=minutes.revision, confirmed_flags=confirmed
            )
        minutes.refresh_from_db()
        assert minutes.status == MinutesStatus.SUBMITTED

    minutes_services.minutes_approve(
        actor=chair, minutes=minutes, revision=minutes.revision, confirmed_flags=keys
    )
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED


def test_the_page_asks_for_each_flag_and_approves_only_when_all_are_ticked(flagged, client):
    minutes = flagged.minutes
    flags = minutes_services.redaction_flags(minutes)
    assert len(flags) >= 2
    client.force_login(flagged.people["chair"])
    page = f"/meetings/{flagged.meeting.pk}/minutes/"

    shown = client.get(page).content.decode()
    for flag in flags:
        assert f'value="{flag_key(flag)}"' in shown
    partly = client.post(
        f"{page}approve/",
        {"revision": minutes.revision, "flag": [flag_key(f) for f in flags[:-1]]},
        follow=True,
    )
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED
    assert "not confirmed" in partly.content.decode()

    client.post(
        f"{page}approve/",
        {"revision": minutes.revision, "flag": [flag_key(f) for f in flags]},
        follow=True,
    )
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED
