"""What a referral may carry as an attachment: the type is read from the file's own bytes,
never from its name or the browser's word."""

from dataclasses import dataclass

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str


PDF = FileKind("application/pdf", "pdf", "PDF")
PNG = FileKind("image/png", "png", "PNG image")
JPEG = FileKind("image/jpeg", "jpg", "JPEG image")
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "Word document",
)
TEXT = FileKind("text/plain", "txt", "plain text")
ALLOWED_LABELS = ", ".join(kind.label for kind in (PDF, DOCX, PNG, JPEG, TEXT))


class AttachmentRejected(ValueError):
    pass


def sniff(head: bytes, *, zip_names: list[str] | None = None) -> FileKind | None:
    """The file's kind from its first bytes (and, for a zip, the names inside it)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        if zip_names is not None and "word/document.xml" in zip_names:
            return DOCX
        return None
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return TEXT
    return None


def check_upload(uploaded) -> FileKind:
    """Refuse an empty, oversized or unrecognised file, with a message a person can act on."""
    if uploaded.size == 0:
        raise AttachmentRejected("The selected file is empty")
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected("The selected file must be smaller than 10MB")
    uploaded.seek(0)
    head = uploaded.read(4096)
    uploaded.seek(0)
    zip_names = None
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            with zipfile.ZipFile(uploaded) as archive:
                zip_names = archive.namelist()
        except zipfile.BadZipFile:
            zip_names = []
        uploaded.seek(0)
    kind = sniff(head, zip_names=zip_names)
    if kind is None:
        raise AttachmentRejected(f"The selected file must be a {ALLOWED_LABELS}")
    return kind
