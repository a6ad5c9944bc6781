"""Minutes: drafted from the meeting's record by the coordinator, edited, submitted to the
chair, returned or approved; each approval an immutable numbered version with the SHA-256 of
each PDF; a correction a new version; the board copy distributed to the board."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from pypdf import PdfReader

import access
from agencies.models import AuditAction, AuditEvent, Role
from notifications.models import EmailDelivery, Notification, NotificationKind
from notifications.services import send_due_emails
from panels import minutes as minutes_services
from panels import services
from panels.models import (
    DocumentKind,
    MinutesDocument,
    MinutesStatus,
    MinutesStep,
    MinutesVersion,
    PanelOversight,
)
from panels.pdf import render_board_copy, render_minutes
from panels.pdf.serialize import meeting_doc_from_data
from referrals.models import HouseholdMember
from tests.factories import person
from tests.panels.conftest import build_room

CHILD_FIRST, CHILD_LAST = "Zephyrine", "Quillbottom"
MOTHER = "Marigoldia Quillbottom"
PANEL_ONLY = "Intelligence: registration PX11 seen at the flat"


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def build_minuted_room():
    """A closed meeting whose case named the child and her mother in its notes, with a panel
    only update from the police, and two actions; a board member overseeing the panel. Its
    people sign in with tests.factories.UserFactory's password, as the browser tests expect."""
    room = build_room()
    chair = room.people["chair"]
    meeting = room.meeting
    referral = room.referrals[0]
    child = referral.child
    child.first_name, child.last_name = CHILD_FIRST, CHILD_LAST
    child.address = "14 Marrowgate Terrace, Fenmarsh"
    child.postcode = "ZZ9 4QT"
    child.save()
    HouseholdMember.objects.create(
        child=child, referral=referral, full_name=MOTHER, relationship="Mother"
    )
    item = room.cases[0]
    services.meeting_start(actor=chair, meeting=meeting)
    services.item_save_notes(
        actor=chair,
        meeting=meeting,
        item_id=item.pk,
        text=f"{CHILD_FIRST} was seen with her mother {MOTHER} at 14 Marrowgate Terrace.",
        version=0,
    )
    services.item_record_update(
        actor=chair,
        meeting=meeting,
        item_id=item.pk,
        agency=room.agencies["police"],
        text=PANEL_ONLY,
        version=0,
        sensitivity="panel_only",
    )
    services.item_record_update(
        actor=chair,
        meeting=meeting,
        item_id=item.pk,
        agency=room.agencies["health"],
        text="Two A&E attendances in October.",
        version=0,
    )
    services.item_record_decision(
        actor=chair, meeting=meeting, item_id=item.pk, text="Strategy discussion.", version=0
    )
    for agency, text in (("police", "Disrupt the address"), ("health", "GP review")):
        services.action_add(
            actor=chair,
            meeting=meeting,
            item_id=item.pk,
            text=text,
            owner_agency=room.agencies[agency],
            due_date=timezone.localdate() + timedelta(days=14),
        )
    services.meeting_close(actor=chair, meeting=meeting)
    meeting.refresh_from_db()
    board = person(Role.BOARD_MEMBER, room.agencies["csc"], username="room_board")
    board.email = "board@example.invalid"
    board.save()
    PanelOversight.objects.create(panel=room.panel, user=board)
    room.people["board"] = board
    return room


@pytest.fixture
def minuted(db, django_capture_on_commit_callbacks):
    """The room of build_minuted_room()."""
    return build_minuted_room()


def draft(room):
    return minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)


def approve(room, minutes, capture):
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    with capture(execute=True):
        return minutes_services.minutes_approve(
            actor=room.people["chair"],
            minutes=minutes,
            revision=minutes.revision,
            confirmed_flags=minutes_services.redaction_flag_keys(minutes),
        )


# --- Drafting ---------------------------------------------------------------------------------


def test_the_coordinator_drafts_the_minutes_from_the_meetings_record(minuted):
    minutes = draft(minuted)

    doc = meeting_doc_from_data(minutes.content)
    case = doc.items[0]
    assert minutes.status == MinutesStatus.DRAFT
    assert case.reference == minuted.referrals[0].reference
    assert MOTHER in case.discussion
    assert {update.text for update in case.agency_updates} >= {PANEL_ONLY}
    assert {action.text for action in case.actions} == {"Disrupt the address", "GP review"}
    assert doc.approved_on is None
    assert minutes.history.get().step == MinutesStep.DRAFTED


def test_minutes_are_not_drafted_before_the_meeting_closes(db):
    room = build_room()

    with pytest.raises(minutes_services.MinutesError, match="Close the meeting first"):
        draft(room)


def test_the_chair_may_not_draft_the_minutes(minuted):
    with pytest.raises(access.ForbiddenForUser):
        minutes_services.minutes_draft(actor=minuted.people["chair"], meeting=minuted.meeting)


def test_a_person_without_a_seat_is_told_the_meeting_does_not_exist(minuted):
    with pytest.raises(access.NotFoundForUser):
        minutes_services.minutes_draft(actor=minuted.people["stranger"], meeting=minuted.meeting)


# --- Editing --------------------------------------------------------------------------------------


def edit(room, minutes, **changes):
    case = minutes.content["items"][0]
    fields = {
        "summary": case["summary"],
        "discussion": case["discussion"],
        "decision": case["decision"],
        "risk_level": "",
        "updates": {},
    } | changes
    return minutes_services.minutes_edit_item(
        actor=room.people["coordinator"],
        minutes=minutes,
        reference=case["reference"],
        revision=minutes.revision,
        **fields,
    )


def test_an_edit_keeps_the_text_it_replaced_in_the_history(minuted):
    minutes = draft(minuted)
    before = minutes.content["items"][0]["decision"]

    minutes = edit(minuted, minutes, decision="Strategy discussion within 24 hours.")

    step = minutes.history.get(step=MinutesStep.EDITED)
    assert step.detail["before"] == {"decision": before}
    assert step.detail["after"] == {"decision": "Strategy discussion within 24 hours."}
    assert minutes.content["items"][0]["decision"] == "Strategy discussion within 24 hours."
    assert minutes.revision == 2


def test_an_edit_from_an_older_revision_is_refused_and_changes_nothing(minuted):
    minutes = draft(minuted)
    stale = minutes.revision
    edit(minuted, minutes, decision="First change.")

    with pytest.raises(minutes_services.StaleMinutes):
        minutes_services.minutes_edit_item(
            actor=minuted.people["coordinator"],
            minutes=minutes,
            reference=minutes.content["items"][0]["reference"],
            revision=stale,
            summary="",
            discussion="",
            decision="Second change from an old page.",
            risk_level="",
            updates={},
        )

    minutes.refresh_from_db()
    assert minutes.content["items"][0]["decision"] == "First change."


def test_a_risk_level_that_is_not_one_of_the_choices_is_refused(minuted):
    minutes = draft(minuted)

    with pytest.raises(minutes_services.MinutesError, match="low, medium or high"):
        edit(minuted, minutes, risk_level="catastrophic")


def test_submitted_minutes_cannot_be_edited(minuted):
    minutes = draft(minuted)
    minutes_services.minutes_submit(actor=minuted.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()

    with pytest.raises(minutes_services.MinutesError, match="waiting for the chair"):
        edit(minuted, minutes, decision="Too late.")


# --- Submit, return, approve ---------------------------------------------------------------


def test_submitting_tells_the_chair_and_nobody_else(minuted, django_capture_on_commit_callbacks):
    minutes = draft(minuted)

    minutes_services.minutes_submit(actor=minuted.people["coordinator"], minutes=minutes)

    told = Notification.objects.filter(kind=NotificationKind.MINUTES_FOR_APPROVAL)
    assert [n.recipient for n in told] == [minuted.people["chair"]]
    assert told.get().link == f"/meetings/{minuted.meeting.pk}/minutes/"


def test_the_chair_returns_minutes_with_comments_to_the_coordinator(minuted):
    minutes = draft(minuted)
    minutes_services.minutes_submit(actor=minuted.people["coordinator"], minutes=minutes)

    with pytest.raises(minutes_services.MinutesError, match="Say what"):
        minutes_services.minutes_return(
            actor=minuted.people["chair"], minutes=minutes, comments=" "
        )
    minutes_services.minutes_return(
        actor=minuted.people["chair"], minutes=minutes, comments="Add the apologies."
    )

    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.RETURNED
    assert minutes.history.get(step=MinutesStep.RETURNED).comment == "Add the apologies."
    told = Notification.objects.get(kind=NotificationKind.MINUTES_RETURNED)
    assert told.recipient == minuted.people["coordinator"]


def test_the_coordinator_may_not_approve(minuted):
    minutes = draft(minuted)
    minutes_services.minutes_submit(actor=minuted.people["coordinator"], minutes=minutes)

    with pytest.raises(access.ForbiddenForUser):
        minutes_services.minutes_approve(
            actor=minuted.people["coordinator"],
            minutes=minutes,
            revision=2,
            confirmed_flags=minutes_services.redaction_flag_keys(minutes),
        )


def test_approval_waits_until_the_chair_confirms_the_unsure_redactions(minuted):
    minutes = draft(minuted)
    # A word before the family surname the meeting never recorded: redaction is unsure.
    minutes = edit(minuted, minutes, summary="Seen with Kendrew Quillbottom.")
    minutes_services.minutes_submit(actor=minuted.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    assert minutes_services.redaction_flags(minutes)

    with pytest.raises(minutes_services.MinutesError, match="Confirm you have checked"):
        minutes_services.minutes_approve(
            actor=minuted.people["chair"],
            minutes=minutes,
            revision=minutes.revision,
        )
    assert not MinutesVersion.objects.exists()


def test_approval_makes_version_1_with_the_hash_of_each_pdf(
    minuted, django_capture_on_commit_callbacks
):
    minutes = draft(minuted)

    version = approve(minuted, minutes, django_capture_on_commit_callbacks)

    assert version.number == 1
    assert version.approved_on == timezone.localdate()
    kinds = sorted((d.kind, d.agency.name if d.agency else "") for d in version.documents.all())
    assert kinds == [
        (DocumentKind.AGENCY_EXTRACT, "Room Health"),
        (DocumentKind.AGENCY_EXTRACT, "Room Police"),
        (DocumentKind.BOARD_COPY, ""),
        (DocumentKind.MINUTES, ""),
    ]
    for document in version.documents.all():
        pdf = bytes(document.pdf)
        assert document.sha256 == hashlib.sha256(pdf).hexdigest()
        assert document.size == len(pdf)
        assert document.pages == len(PdfReader(io.BytesIO(pdf)).pages)
    full = bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert "DRAFT" not in text_of(full)
    assert "Version 1" in text_of(full) or "version 1" in text_of(full).lower()


def test_the_approved_pdfs_render_again_to_the_same_bytes(
    minuted, django_capture_on_commit_callbacks
):
    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)
    doc = meeting_doc_from_data(version.content)

    assert render_minutes(doc) == bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf)
    assert render_board_copy(doc) == bytes(version.documents.get(kind=DocumentKind.BOARD_COPY).pdf)


def test_the_stored_board_copy_names_no_child_or_family_and_drops_panel_only_text(
    minuted, django_capture_on_commit_callbacks
):
    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    board = text_of(bytes(version.documents.get(kind=DocumentKind.BOARD_COPY).pdf))
    full = text_of(bytes(version.documents.get(kind=DocumentKind.MINUTES).pdf))

    for secret in (CHILD_FIRST, CHILD_LAST, "Marigoldia", "Marrowgate", "ZZ9 4QT", "PX11"):
        assert secret not in board
    assert CHILD_FIRST in full and "PX11" in full


def test_approval_sends_the_board_copy_to_the_board_by_email_with_a_sign_in_link(
    minuted, django_capture_on_commit_callbacks
):
    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    notice = Notification.objects.get(
        recipient=minuted.people["board"], kind=NotificationKind.MINUTES_APPROVED
    )
    assert notice.link == "/board/"
    delivery = EmailDelivery.objects.get(notification=notice)
    assert delivery.attachment is None
    send_due_emails()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    (message,) = [m for m in mail.outbox if m.to == ["board@example.invalid"]]
    assert message.subject.startswith("OFFICIAL-SENSITIVE")
    assert "/board/" in message.body
    assert message.attachments == []
    for secret in (CHILD_FIRST, CHILD_LAST, "Marrowgate"):
        assert secret not in message.body + message.subject
    assert version.documents.filter(kind=DocumentKind.BOARD_COPY).exists()


def test_a_panel_configured_to_attach_sends_the_board_copy_as_a_pdf(
    minuted, django_capture_on_commit_callbacks
):
    minuted.panel.board_copy_attached = True
    minuted.panel.save()
    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    send_due_emails()

    (message,) = [m for m in mail.outbox if m.to == ["board@example.invalid"]]
    ((name, content, mimetype),) = message.attachments
    board = version.documents.get(kind=DocumentKind.BOARD_COPY)
    assert mimetype == "application/pdf"
    assert hashlib.sha256(content).hexdigest() == board.sha256


def test_approval_tells_the_meetings_participants_and_no_one_outside_it(
    minuted, django_capture_on_commit_callbacks
):
    approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    told = set(
        Notification.objects.filter(kind=NotificationKind.MINUTES_APPROVED).values_list(
            "recipient__username", flat=True
        )
    )
    # The invited participants and the board member; not the uninvited seat or the stranger.
    assert "room_uninvited" not in told
    assert "room_stranger" not in told
    assert {"room_board", "room_police", "room_health", "room_chair"} <= told


def test_an_ended_oversight_receives_nothing(minuted, django_capture_on_commit_callbacks):
    PanelOversight.objects.update(ended_at=timezone.now())

    approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    assert not Notification.objects.filter(recipient=minuted.people["board"]).exists()


# --- Corrections and immutability ------------------------------------------------------------


def test_a_correction_makes_version_2_and_leaves_version_1_as_it_was(
    minuted, django_capture_on_commit_callbacks
):
    minutes = draft(minuted)
    first = approve(minuted, minutes, django_capture_on_commit_callbacks)
    first_hashes = {d.kind + str(d.agency_id): d.sha256 for d in first.documents.all()}
    minutes.refresh_from_db()

    minutes_services.minutes_start_correction(
        actor=minuted.people["coordinator"], minutes=minutes, reason="The decision was misheard."
    )
    minutes.refresh_from_db()
    minutes = edit(minuted, minutes, decision="Strategy discussion today.")
    second = approve(minuted, minutes, django_capture_on_commit_callbacks)

    assert second.number == 2
    assert second.correction_reason == "The decision was misheard."
    first.refresh_from_db()
    assert {d.kind + str(d.agency_id): d.sha256 for d in first.documents.all()} == first_hashes
    assert meeting_doc_from_data(first.content).items[0].decision == "Strategy discussion."
    assert meeting_doc_from_data(second.content).items[0].decision == "Strategy discussion today."
    assert (
        first.documents.get(kind=DocumentKind.MINUTES).sha256
        != second.documents.get(kind=DocumentKind.MINUTES).sha256
    )


def test_a_correction_needs_a_reason(minuted, django_capture_on_commit_callbacks):
    minutes = draft(minuted)
    approve(minuted, minutes, django_capture_on_commit_callbacks)
    minutes.refresh_from_db()

    with pytest.raises(minutes_services.MinutesError, match="Say what is being corrected"):
        minutes_services.minutes_start_correction(
            actor=minuted.people["coordinator"], minutes=minutes, reason=""
        )


def test_an_approved_version_and_its_pdfs_cannot_be_changed_or_deleted(
    minuted, django_capture_on_commit_callbacks
):
    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)
    document = version.documents.first()

    version.correction_reason = "rewritten"
    with pytest.raises(PermissionError):
        version.save()
    with pytest.raises(PermissionError):
        document.delete()
    with pytest.raises(PermissionError):
        MinutesDocument.objects.filter(pk=document.pk).update(sha256="0" * 64)
    with pytest.raises(PermissionError):
        MinutesVersion.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_postgresql_refuses_raw_sql_changes_to_an_approved_pdf(
    minuted, django_capture_on_commit_callbacks
):
    from django.db import DatabaseError, transaction

    version = approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE panels_minutesdocument SET sha256 = 'x' WHERE version_id = %s", [version.pk]
        )
    with (
        pytest.raises(DatabaseError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM panels_minutesversion WHERE id = %s", [version.pk])


def test_each_step_is_audited(minuted, django_capture_on_commit_callbacks):
    approve(minuted, draft(minuted), django_capture_on_commit_callbacks)

    details = list(
        AuditEvent.objects.filter(object_type__startswith="panels.minutes").values_list(
            "action", "detail"
        )
    )
    assert (
        AuditAction.CREATED,
        f"Minutes of panel meeting {minuted.meeting.pk} drafted",
    ) in details
    assert any("approved as version 1" in detail for _, detail in details)
