"""An attachment's type is decided by its content, never by its name or the browser's word:
PDF, PNG, JPEG, plain UTF-8 text, and Word and Excel files without macros are taken; web
pages, SVG, files that are two things at once and macro-enabled Office files are refused with
a message the referrer can act on; a file is stored and served with its detected type."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from referrals import intake
from referrals.attachments import AttachmentRejected
from referrals.models import Attachment

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
EXCEL_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
EXCEL_MACRO_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def by_name(value):
    """Test ids: the file's name, not its bytes."""
    return value if isinstance(value, str) and "\n" not in value and len(value) < 40 else "-"


def office_file(main_part: str, main_type: str, *, extra_parts=()) -> bytes:
    """A minimal Office Open XML package: a zip whose [Content_Types].xml names its main part."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/>'
        "</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", content_types)
        package.writestr("_rels/.rels", "<Relationships/>")
        package.writestr(main_part, "<document/>")
        for name in extra_parts:
            package.writestr(name, b"\x00macro")
    return buffer.getvalue()


DOCX = office_file("word/document.xml", WORD_MAIN)
XLSX = office_file("xl/workbook.xml", EXCEL_MAIN)
DOCM = office_file("word/document.xml", WORD_MACRO_MAIN, extra_parts=["word/vbaProject.bin"])
XLSM = office_file("xl/workbook.xml", EXCEL_MACRO_MAIN, extra_parts=["xl/vbaProject.bin"])
# A .docm renamed .docx, its content types edited to look like a plain document.
DOCX_WITH_MACROS = office_file("word/document.xml", WORD_MAIN, extra_parts=["word/vbaProject.bin"])
# Straddles the 4,096-byte mark: "é" is two bytes, the 4,096th and the 4,097th.
TEXT_ACROSS_4096 = b"a" * 4095 + "é is a letter, not an error.\n".encode()


@pytest.fixture
def attach(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def attach(name: str, data: bytes, content_type: str = "application/octet-stream"):
        return intake.attachment_add(
            actor=world.people["lead_a"],
            referral=world.referral,
            uploaded=SimpleUploadedFile(name, data, content_type),
        )

    return attach


# --- Taken, by content ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "stored_as", "extension"),
    [
        ("referral.pdf", PDF, "application/pdf", "referral.pdf", "pdf"),
        ("body map.png", PNG, "image/png", "body map.png", "png"),
        ("photo.jpeg", JPEG, "image/jpeg", "photo.jpeg", "jpg"),
        ("photo.JPG", JPEG, "image/jpeg", "photo.JPG", "jpg"),
        ("chronology.txt", b"School chronology.\n", "text/plain", "chronology.txt", "txt"),
        ("long note.txt", TEXT_ACROSS_4096, "text/plain", "long note.txt", "txt"),
        ("minutes.docx", DOCX, DOCX_TYPE, "minutes.docx", "docx"),
        ("attendance.xlsx", XLSX, XLSX_TYPE, "attendance.xlsx", "xlsx"),
        # The name the referrer gave is kept, with the extension of what the file is.
        ("statement.html", PDF, "application/pdf", "statement.pdf", "pdf"),
        ("scan", PNG, "image/png", "scan.png", "png"),
        ("report.doc", DOCX, DOCX_TYPE, "report.docx", "docx"),
        ("notes.svg", b"Plain words.\n", "text/plain", "notes.txt", "txt"),
    ],
    ids=by_name,
)
def test_an_allowed_file_is_stored_with_the_type_and_extension_of_its_content(
    attach, name, data, content_type, stored_as, extension
):
    attachment = attach(name, data, "text/html")

    assert attachment.content_type == content_type
    assert attachment.original_name == stored_as
    assert attachment.file.name.endswith(f".{extension}")


# --- Refused, with a message to act on ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.txt", b"<!DOCTYPE html><html><body>Hi</body></html>", "web page"),
        ("page.txt", b"Notes first.\n<script>alert(1)</script>\n", "web page"),
        ("page.txt", b"\xef\xbb\xbf  <HTML>\n<p>hello</p>", "web page"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "web page"),
        (
            "logo.svg",
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>',
            "web page",
        ),
        ("report.pdf", PDF[:9] + b"<html><script>alert(1)</script></html>\n" + PDF[9:], "PDF"),
        ("report.pdf", b"%PDF-1.4\n%" + b" " * 900 + b"<svg onload=alert(1)>", "PDF"),
        ("map.png", PNG + b"tEXt<script>alert(1)</script>", "PNG"),
        ("photo.jpg", JPEG[:20] + b"<iframe src=x>", "JPEG"),
        ("minutes.docm", DOCM, "macros"),
        ("budget.xlsm", XLSM, "macros"),
        ("minutes.docx", DOCX_WITH_MACROS, "macros"),
        ("minutes.doc", OLE2, "older Word or Excel"),
    ],
    ids=by_name,
)
def test_a_file_that_could_run_code_is_refused_with_a_message_to_act_on(
    attach, world, name, data, message
):
    with pytest.raises(AttachmentRejected, match=message) as refused:
        attach(name, data)

    assert "save" in str(refused.value).lower()
    assert not world.referral.attachments.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("archive.zip", office_file("content.xml", "application/xml")),
        ("broken.docx", b"PK\x03\x04" + b"\x00" * 100),
        ("latin1.txt", "Caf\u00e9 notes".encode("latin-1")),
        ("utf16.txt", "notes".encode("utf-16")),
        ("program.exe", b"MZ\x90\x00\x03\x00\x00\x00"),
    ],
    ids=by_name,
)
def test_a_file_of_another_type_is_refused_naming_the_types_taken(attach, name, data):
    with pytest.raises(AttachmentRejected, match="must be a PDF") as refused:
        attach(name, data)

    assert "Excel" in str(refused.value)


def test_text_that_is_valid_utf_8_is_taken_wherever_its_characters_fall(attach):
    for size in (4094, 4095, 4096, 1024, 1023):
        data = b"a" * size + "€ and é\n".encode()

        assert attach("note.txt", data).content_type == "text/plain"


# --- Served as what it is -------------------------------------------------------------------------


def test_a_download_carries_the_detected_type_and_extension_and_is_never_sniffed(
    attach, client, world
):
    attachment = attach("statement.html", PDF)
    client.force_login(world.people["lead_a"])

    response = client.get(f"/referrals/{world.referral.pk}/attachments/{attachment.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_file_stored_before_the_checks_is_served_with_the_extension_of_its_stored_type(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    earlier = Attachment(
        referral=world.referral,
        original_name="page.html",
        content_type="text/plain",
        size=20,
        sha256="0" * 64,
        uploaded_by=world.people["lead_a"],
    )
    earlier.file.save("earlier.html", ContentFile(b"<html>old</html>"), save=True)
    client.force_login(world.people["lead_a"])

    response = client.get(f"/referrals/{world.referral.pk}/attachments/{earlier.pk}/")

    assert response["Content-Type"] == "text/plain"
    assert response["Content-Disposition"] == 'attachment; filename="page.txt"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_upload_page_shows_the_refusal_against_the_field(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.people["lead_a"])

    response = client.post(
        f"/referrals/{world.referral.pk}/attachments/add/",
        {"attach-file": SimpleUploadedFile("minutes.docx", DOCM, DOCX_TYPE)},
    )

    assert response.status_code == 200
    assert "contains macros" in response.content.decode()
    assert not world.referral.attachments.exists()
