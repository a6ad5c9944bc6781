"""A closed meeting whose notes and agency updates name the child in every disguise of
tests/documents/spellings.py, and people to approve its minutes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from panels import minutes as minutes_services
from panels import services
from tests.documents.spellings import FIRST, LAST, SPELLINGS
from tests.panels.conftest import build_room


def build_disguised_room():
    room = build_room()
    chair = room.people["chair"]
    meeting = room.meeting
    child = room.referrals[0].child
    child.first_name, child.last_name = FIRST, LAST
    child.address = "14 Orchard Row, Fenmarsh FM2 7QT"
    child.save()
    item = room.cases[0]
    services.meeting_start(actor=chair, meeting=meeting)
    half = len(SPELLINGS) // 2
    services.item_save_notes(
        actor=chair,
        meeting=meeting,
        item_id=item.pk,
        text="\n".join(f"Seen: {s} at the park." for s in SPELLINGS[:half])
        + "\nFenmarsh Police attended.",
        version=0,
    )
    for agency, spellings in (("police", SPELLINGS[half:]), ("health", SPELLINGS[:5])):
        services.item_record_update(
            actor=chair,
            meeting=meeting,
            item_id=item.pk,
            agency=room.agencies[agency],
            text=" ".join(f"{s} was seen." for s in spellings),
            version=0,
        )
    services.item_record_decision(
        actor=chair, meeting=meeting, item_id=item.pk, text="K-a-i to be reviewed.", version=0
    )
    services.action_add(
        actor=chair,
        meeting=meeting,
        item_id=item.pk,
        text="Visit Kai Thornbury's home with Ольга Петренко, the interpreter",
        owner_agency=room.agencies["police"],
        due_date=timezone.localdate() + timedelta(days=14),
    )
    services.meeting_close(actor=chair, meeting=meeting)
    meeting.refresh_from_db()
    return room


@pytest.fixture
def disguised(db):
    return build_disguised_room()


def submit(room, *, summary: str | None = None):
    """Draft the minutes (with the first case's summary replaced, if given) and submit."""
    coordinator = room.people["coordinator"]
    minutes = minutes_services.minutes_draft(actor=coordinator, meeting=room.meeting)
    if summary is not None:
        item = minutes.content["items"][0]
        minutes_services.minutes_edit_item(
            actor=coordinator,
            minutes=minutes,
            reference=item["reference"],
            revision=minutes.revision,
            summary=summary,
            discussion=item["discussion"],
            decision=item["decision"],
            risk_level="",
            updates={},
        )
        minutes.refresh_from_db()
    minutes_services.minutes_submit(actor=coordinator, minutes=minutes)
    minutes.refresh_from_db()
    room.minutes = minutes
    return room


# Unsure points: a name in look-alike letters that is nobody's known name, a title and an
# unknown surname, and letters that hold the child's surname and more.
UNSURE = "Pupil J\u0430xon and Mr Grimsby were seen; T h o r n b u r y s."


@pytest.fixture
def submitted(disguised):
    return submit(disguised)


@pytest.fixture
def flagged(disguised):
    return submit(disguised, summary=UNSURE)
