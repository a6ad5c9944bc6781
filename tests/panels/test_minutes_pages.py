"""The minutes pages and PDF downloads: who gets which document, that each download is
audited, and that everyone else gets the same 404 (signed in or not)."""

import hashlib
import io

import pytest
from pypdf import PdfReader

import access
from agencies.models import AgencyType, AuditAction, AuditEvent, Role
from panels import minutes as minutes_services
from panels.models import DocumentKind, Minutes, MinutesStatus, Panel, PanelKind
from panels.pdf.redaction import flag_key
from tests.factories import AgencyFactory, person
from tests.panels.conftest import seat
from tests.panels.test_minutes import CHILD_FIRST, build_minuted_room


@pytest.fixture
def minuted(db, django_capture_on_commit_callbacks):
    return build_minuted_room()


@pytest.fixture
def approved(minuted, django_capture_on_commit_callbacks):
    """The minutes drafted, submitted and approved as version 1."""
    with django_capture_on_commit_callbacks(execute=True):
        minuted.version = approve_as_version_1(minuted)
    return minuted


def approve_as_version_1(room):
    """The coordinator drafts and submits the minutes; the chair approves them."""
    coordinator = room.people["coordinator"]
    minutes = minutes_services.minutes_draft(actor=coordinator, meeting=room.meeting)
    minutes_services.minutes_submit(actor=coordinator, minutes=minutes)
    minutes.refresh_from_db()
    return minutes_services.minutes_approve(
        actor=room.people["chair"],
        minutes=minutes,
        revision=minutes.revision,
        confirmed_flags=minutes_services.redaction_flag_keys(minutes),
    )


@pytest.fixture
def other_panel_member(minuted):
    """A member of another panel, with the same role and an agency of the same type."""
    agency = AgencyFactory(name="Elsewhere Police", agency_type=AgencyType.POLICE)
    panel = Panel.objects.create(name="Another Panel", kind=PanelKind.MARAC)
    panel.member_agencies.add(agency)
    member = person(Role.PANEL_MEMBER, agency, username="elsewhere_member")
    seat(panel, member, agency)
    return member


def pdf_text(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def document_urls(room) -> dict[str, str]:
    version = room.version
    police = room.agencies["police"].pk
    return {
        "full minutes": f"/minutes/{version.pk}/minutes.pdf",
        "board copy": f"/minutes/{version.pk}/board.pdf",
        "police extract": f"/minutes/{version.pk}/agency/{police}.pdf",
        "action log": f"/panels/{room.panel.pk}/action-log.pdf",
        "draft preview": f"/meetings/{room.meeting.pk}/minutes/preview/minutes.pdf",
    }


# --- Refusals on every PDF door -----------------------------------------------------------------


@pytest.mark.parametrize(
    "document", ["full minutes", "board copy", "police extract", "action log", "draft preview"]
)
@pytest.mark.parametrize("who", ["other_panel_member", "referrer", "anonymous"])
def test_a_person_the_document_is_not_for_gets_404(
    approved, other_panel_member, client, who, document
):
    if who == "other_panel_member":
        client.force_login(other_panel_member)
    elif who == "referrer":
        client.force_login(approved.people["stranger"])

    response = client.get(document_urls(approved)[document])

    assert response.status_code == 404
    assert response.get("Content-Type", "").startswith("text/html")


def test_a_refused_download_is_audited_as_a_refusal(approved, other_panel_member, client):
    client.force_login(other_panel_member)

    client.get(document_urls(approved)["board copy"])

    refusal = AuditEvent.objects.get(actor=other_panel_member, action=AuditAction.REFUSED)
    assert f"/minutes/{approved.version.pk}/board.pdf" in refusal.detail + refusal.object_id


# --- Downloads ------------------------------------------------------------------------------------


def test_an_invited_member_downloads_the_full_minutes_and_the_download_is_audited(approved, client):
    member = approved.people["police"]
    client.force_login(member)

    response = client.get(document_urls(approved)["full minutes"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    document = approved.version.documents.get(kind=DocumentKind.MINUTES)
    assert hashlib.sha256(response.content).hexdigest() == document.sha256
    assert CHILD_FIRST in pdf_text(response)
    event = AuditEvent.objects.get(actor=member, action=AuditAction.EXPORTED_PDF)
    assert event.object_id == str(document.pk)


def test_a_member_gets_their_own_agencys_extract_and_not_anothers(approved, client):
    client.force_login(approved.people["police"])
    health = approved.agencies["health"].pk

    own = client.get(document_urls(approved)["police extract"])
    other = client.get(f"/minutes/{approved.version.pk}/agency/{health}.pdf")

    assert own.status_code == 200
    assert "Room Police" in pdf_text(own)
    assert other.status_code == 404


def test_a_participant_may_not_download_the_board_copy_or_a_draft(approved, client):
    client.force_login(approved.people["police"])

    assert client.get(document_urls(approved)["board copy"]).status_code == 404
    assert client.get(document_urls(approved)["draft preview"]).status_code == 404


def test_the_board_member_downloads_the_board_copy_which_names_no_child(approved, client):
    board = approved.people["board"]
    client.force_login(board)

    papers = client.get("/board/")
    response = client.get(document_urls(approved)["board copy"])

    assert f"/minutes/{approved.version.pk}/board.pdf" in papers.content.decode()
    assert response.status_code == 200
    text = pdf_text(response)
    assert "OFFICIAL-SENSITIVE" in text
    assert CHILD_FIRST not in text
    assert AuditEvent.objects.filter(actor=board, action=AuditAction.EXPORTED_PDF).count() == 1
    # The full minutes are for the meeting, not the board.
    assert client.get(document_urls(approved)["full minutes"]).status_code == 404


def test_the_board_papers_page_lists_nothing_for_someone_who_oversees_no_panel(approved, client):
    client.force_login(approved.people["police"])

    papers = client.get("/board/")

    assert papers.status_code == 200
    assert "/board.pdf" not in papers.content.decode()
    assert "You do not oversee any panel" in papers.content.decode()


def test_a_panel_member_downloads_the_action_log_and_it_is_audited(approved, client):
    member = approved.people["health"]
    client.force_login(member)

    response = client.get(document_urls(approved)["action log"])

    assert response.status_code == 200
    assert "GP review" in pdf_text(response)
    assert AuditEvent.objects.filter(
        actor=member, action=AuditAction.EXPORTED_PDF, detail__startswith="Action log"
    ).exists()


# --- The minutes page -----------------------------------------------------------------------------


def test_the_coordinator_drafts_edits_and_submits_from_the_page(minuted, client):
    client.force_login(minuted.people["coordinator"])
    page = f"/meetings/{minuted.meeting.pk}/minutes/"

    assert "Draft the minutes" in client.get(page).content.decode()
    client.post(f"{page}draft/")
    minutes = Minutes.objects.get(meeting=minuted.meeting)
    reference = minutes.content["items"][0]["reference"]
    form = client.get(f"{page}cases/{reference}/")
    saved = client.post(
        f"{page}cases/{reference}/",
        {
            "revision": minutes.revision,
            "summary": "Missing three times.",
            "discussion": "Discussed.",
            "decision": "Strategy discussion <b>today</b>.",
            "risk_level": "high",
        },
    )
    client.post(f"{page}submit/")

    assert form.status_code == 200
    assert saved.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.SUBMITTED
    assert minutes.content["items"][0]["decision"] == "Strategy discussion <b>today</b>."
    assert minutes.content["items"][0]["risk_level"] == "High"
    shown = client.get(page).content.decode()
    assert "Strategy discussion &lt;b&gt;today&lt;/b&gt;." in shown


def test_an_edit_from_a_stale_page_is_refused_with_the_newer_text_shown(minuted, client):
    client.force_login(minuted.people["coordinator"])
    page = f"/meetings/{minuted.meeting.pk}/minutes/"
    client.post(f"{page}draft/")
    minutes = Minutes.objects.get(meeting=minuted.meeting)
    reference = minutes.content["items"][0]["reference"]
    fields = {"summary": "s", "discussion": "d", "risk_level": ""}
    client.post(f"{page}cases/{reference}/", {**fields, "revision": 1, "decision": "Saved first."})

    stale = client.post(
        f"{page}cases/{reference}/", {**fields, "revision": 1, "decision": "From an old page."}
    )

    assert stale.status_code == 409
    assert "Saved first." in stale.content.decode()
    minutes.refresh_from_db()
    assert minutes.content["items"][0]["decision"] == "Saved first."


def test_the_chair_sees_the_redaction_flags_and_must_confirm_them(minuted, client):
    coordinator = minuted.people["coordinator"]
    minutes = minutes_services.minutes_draft(actor=coordinator, meeting=minuted.meeting)
    case = minutes.content["items"][0]
    minutes_services.minutes_edit_item(
        actor=coordinator,
        minutes=minutes,
        reference=case["reference"],
        revision=minutes.revision,
        summary="Seen with Kendrew Quillbottom.",
        discussion=case["discussion"],
        decision=case["decision"],
        risk_level="",
        updates={},
    )
    minutes_services.minutes_submit(actor=coordinator, minutes=minutes)
    minutes.refresh_from_db()
    client.force_login(minuted.people["chair"])
    page = f"/meetings/{minuted.meeting.pk}/minutes/"

    shown = client.get(page).content.decode()
    unconfirmed = client.post(f"{page}approve/", {"revision": minutes.revision}, follow=True)
    every_flag = [flag_key(f) for f in minutes_services.redaction_flags(minutes)]
    confirmed = client.post(
        f"{page}approve/", {"revision": minutes.revision, "flag": every_flag}, follow=True
    )

    assert 'data-testid="redaction-flags"' in shown
    assert "Kendrew" in shown
    assert "Confirm you have checked" in unconfirmed.content.decode()
    assert confirmed.status_code == 200
    minutes.refresh_from_db()
    assert minutes.status == MinutesStatus.APPROVED


def test_a_participant_sees_the_approved_versions_but_not_the_draft(approved, client):
    client.force_login(approved.people["police"])

    shown = client.get(f"/meetings/{approved.meeting.pk}/minutes/").content.decode()

    assert f"/minutes/{approved.version.pk}/minutes.pdf" in shown
    assert "/board.pdf" not in shown
    assert "preview" not in shown
    assert 'data-testid="minutes-history"' not in shown


def test_the_documents_a_person_may_download_agree_with_the_rule_for_one(
    approved, other_panel_member
):
    from panels.models import MinutesDocument

    people = [*approved.people.values(), other_panel_member]
    documents = list(MinutesDocument.objects.all())
    assert len(documents) == 4

    for someone in people:
        listed = set(access.documents_visible_to(someone))
        for document in documents:
            assert (document in listed) == access.can_download_document(someone, document), (
                someone.username,
                document.kind,
                document.agency_id,
            )


def test_submitting_minutes_that_do_not_exist_says_so_and_nothing_else(minuted, client):
    client.force_login(minuted.people["coordinator"])

    response = client.post(f"/meetings/{minuted.meeting.pk}/minutes/submit/", follow=True)

    shown = response.content.decode()
    assert "There are no minutes for this meeting yet." in shown
    assert "with the chair for approval" not in shown


# --- While the documents are being prepared ---------------------------------------------------


@pytest.fixture
def preparing(minuted, monkeypatch):
    """Approved as version 1, its documents not rendered yet (as in "background" mode just
    after the approval)."""
    from panels import minutes_rendering

    with monkeypatch.context() as patch:
        patch.setattr(minutes_rendering, "minutes_rendering_start", lambda **kwargs: None)
        minuted.version = approve_as_version_1(minuted)
    return minuted


def render_now(room, django_capture_on_commit_callbacks):
    from panels import minutes_rendering

    with django_capture_on_commit_callbacks(execute=True):
        minutes_rendering.minutes_render_version(version_id=room.version.pk)


def test_the_chair_is_told_the_documents_are_being_prepared_not_that_they_have_gone(
    minuted, client, monkeypatch
):
    from panels import minutes_rendering

    monkeypatch.setattr(minutes_rendering, "minutes_rendering_start", lambda **kwargs: None)
    shown = approved_by_the_chair(minuted, client)

    assert "The minutes are approved as version 1." in shown
    assert "has gone" not in shown
    assert "the board copy goes to the board members" in shown
    assert "Approved as version 1. The documents are being prepared; this page updates when "
    "they are ready." in shown


def approved_by_the_chair(minuted, client) -> str:
    """The coordinator drafts and submits; the chair approves on the page: what they see."""
    coordinator = minuted.people["coordinator"]
    minutes = minutes_services.minutes_draft(actor=coordinator, meeting=minuted.meeting)
    minutes_services.minutes_submit(actor=coordinator, minutes=minutes)
    minutes.refresh_from_db()
    client.force_login(minuted.people["chair"])
    page = f"/meetings/{minuted.meeting.pk}/minutes/"
    return client.post(
        f"{page}approve/",
        {"revision": minutes.revision, "flag": minutes_services.redaction_flag_keys(minutes)},
        follow=True,
    ).content.decode()


def test_when_rendered_in_the_request_the_chair_is_told_the_board_copy_has_gone(minuted, client):
    shown = approved_by_the_chair(minuted, client)

    assert "The board copy has gone to the board members" in shown
    assert 'data-testid="documents-status"' not in shown


def test_while_the_documents_are_prepared_the_page_says_so_politely_and_links_none(
    preparing, client
):
    client.force_login(preparing.people["police"])

    shown = client.get(f"/meetings/{preparing.meeting.pk}/minutes/").content.decode()

    assert 'role="status" aria-live="polite"' in shown
    assert (
        "Approved as version 1. The documents are being prepared; this page updates when they "
        "are ready." in shown
    )
    assert "Check again</a>" in shown
    assert 'data-testid="documents-being-prepared"' in shown
    assert "panels/minutes.js" in shown
    assert f"/minutes/{preparing.version.pk}/" not in shown  # no link to a PDF not yet stored
    assert "None for you." not in shown


def test_the_documents_fragment_gives_the_links_once_the_documents_are_stored(
    preparing, client, django_capture_on_commit_callbacks
):
    client.force_login(preparing.people["police"])
    fragment = f"/meetings/{preparing.meeting.pk}/minutes/documents/"

    before = client.get(fragment)
    render_now(preparing, django_capture_on_commit_callbacks)
    after = client.get(fragment)

    assert before.status_code == 200
    assert "no-store" in before["Cache-Control"]
    assert 'data-pending="true"' in before.content.decode()
    assert "/minutes.pdf" not in before.content.decode()
    assert 'data-pending="false"' in after.content.decode()
    assert f"/minutes/{preparing.version.pk}/minutes.pdf" in after.content.decode()
    assert "The documents of version 1 are ready." in after.content.decode()
    page = client.get(f"/meetings/{preparing.meeting.pk}/minutes/").content.decode()
    assert 'data-testid="documents-status"' not in page
    assert "panels/minutes.js" not in page


@pytest.mark.parametrize("who", ["other_panel_member", "stranger"])
def test_a_person_who_may_not_read_the_minutes_gets_404_from_the_documents_fragment(
    preparing, other_panel_member, client, who
):
    client.force_login(
        other_panel_member if who == "other_panel_member" else preparing.people["stranger"]
    )

    response = client.get(f"/meetings/{preparing.meeting.pk}/minutes/documents/")

    assert response.status_code == 404
    assert "version" not in response.content.decode().lower()


def test_someone_not_signed_in_is_sent_to_sign_in_from_the_documents_fragment(preparing, client):
    response = client.get(f"/meetings/{preparing.meeting.pk}/minutes/documents/")

    assert response.status_code == 302
    assert "/login" in response["Location"] or "sign" in response["Location"]


def test_a_version_without_documents_is_a_404_on_its_download_and_web_page_never_a_500(
    preparing, client
):
    client.force_login(preparing.people["chair"])
    meeting, version = preparing.meeting.pk, preparing.version

    for path in (
        f"/minutes/{version.pk}/minutes.pdf",
        f"/minutes/{version.pk}/board.pdf",
        f"/meetings/{meeting}/minutes/v1/minutes.html",
        f"/meetings/{meeting}/minutes/v1/board.html",
    ):
        assert client.get(path).status_code == 404, path


def test_the_board_papers_list_a_version_being_prepared_without_a_link(
    preparing, client, django_capture_on_commit_callbacks
):
    client.force_login(preparing.people["board"])

    before = client.get("/board/").content.decode()
    render_now(preparing, django_capture_on_commit_callbacks)
    after = client.get("/board/").content.decode()

    assert 'data-testid="board-copy-being-prepared"' in before
    assert "/board.pdf" not in before
    assert 'data-testid="board-copy-being-prepared"' not in after
    assert f"/minutes/{preparing.version.pk}/board.pdf" in after


def test_a_version_being_prepared_is_not_listed_to_someone_who_oversees_no_panel(preparing, client):
    client.force_login(preparing.people["police"])

    papers = client.get("/board/").content.decode()

    assert 'data-testid="board-copy-being-prepared"' not in papers
    assert "You do not oversee any panel" in papers
