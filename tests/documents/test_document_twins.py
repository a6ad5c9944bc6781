"""Each document's web page ("twin"): built from the same view-model as its PDF, with the
same marking, behind the same door and the same audit row; the PDF prints its address."""

import io

import pytest
from pypdf import PdfReader

from agencies.models import AuditAction, AuditEvent
from panels import minutes as minutes_services
from panels.models import DocumentKind, MinutesDocument
from panels.pdf.redaction import flag_key
from tests.documents.spellings import leaks


@pytest.fixture
def approved(submitted, django_capture_on_commit_callbacks):
    minutes = submitted.minutes
    with django_capture_on_commit_callbacks(execute=True):
        submitted.version = minutes_services.minutes_approve(
            actor=submitted.people["chair"],
            minutes=minutes,
            revision=minutes.revision,
            confirmed_flags=[flag_key(f) for f in minutes_services.redaction_flags(minutes)],
        )
    return submitted


def twin(room, kind: str) -> str:
    return f"/meetings/{room.meeting.pk}/minutes/v{room.version.number}/{kind}.html"


def test_the_full_minutes_page_prints_the_names_as_typed_with_the_marking(approved, client):
    client.force_login(approved.people["chair"])

    response = client.get(twin(approved, "minutes"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert html.count("OFFICIAL-SENSITIVE") >= 2
    assert "Kai Thornbury" in html
    assert "Version 1, approved by the chair on" in html


def test_the_board_copy_page_is_the_redacted_view_model(approved, client):
    client.force_login(approved.people["chair"])

    html = client.get(twin(approved, "board")).content.decode()

    assert "OFFICIAL-SENSITIVE" in html
    main = html.split('id="main-content"', 1)[-1]
    assert leaks(main.replace("<bdi>", "").replace("</bdi>", "")) == []
    assert "Each child is identified only by referral reference and initials" in html


def test_each_page_is_audited_as_its_pdf_download_is(approved, client):
    chair = approved.people["chair"]
    client.force_login(chair)
    before = AuditEvent.objects.filter(actor=chair, action=AuditAction.EXPORTED_PDF).count()

    client.get(twin(approved, "minutes"))
    client.get(f"/panels/{approved.panel.pk}/action-log.html")

    events = AuditEvent.objects.filter(actor=chair, action=AuditAction.EXPORTED_PDF)
    assert events.count() == before + 2
    assert events.filter(detail__contains="read as its web page").count() == 2


def test_someone_the_pdf_is_not_for_gets_the_same_404_for_its_page(approved, client):
    stranger = approved.people["stranger"]
    document = MinutesDocument.objects.get(version=approved.version, kind=DocumentKind.MINUTES)
    client.force_login(stranger)

    pdf = client.get(f"/minutes/{document.version_id}/minutes.pdf")
    page = client.get(twin(approved, "minutes"))
    missing = client.get(
        f"/meetings/{approved.meeting.pk}/minutes/v{approved.version.number + 5}/minutes.html"
    )

    assert pdf.status_code == page.status_code == missing.status_code == 404


def test_each_approved_pdf_prints_the_address_of_its_page(approved, settings):
    for document in MinutesDocument.objects.filter(version=approved.version):
        text = PdfReader(io.BytesIO(bytes(document.pdf))).pages[0].extract_text()
        if document.agency_id:
            tail = f"/v1/agency/{document.agency_id}.html"
        else:
            tail = f"/v1/{document.kind}.html"
        assert "Accessible version" in text
        assert tail in " ".join(text.split()).replace(" ", ""), (document.kind, text[:400])
