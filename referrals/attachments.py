"""What a referral may carry as an attachment: the type is read from the file's own bytes,
never from its name or the browser's word, and the file is stored and served as that type.

Taken: PDF, PNG, JPEG, plain text in UTF-8, and Word (.docx) and Excel (.xlsx) files without
macros. Refused, each with a message saying what to do instead: web pages and SVG (which a
browser would run), a PDF, PNG or JPEG with web page code near its start (a "polyglot", one
file that is two things at once), macro-enabled Office files, and the older .doc and .xls.
Only the standard library: magic numbers, UTF-8 decoding and zipfile.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# How far past a magic number web page code is looked for, as a browser sniffing would.
MARKUP_WINDOW = 1024
# [Content_Types].xml is a few kilobytes; a larger one is not an Office file we take.
MAX_CONTENT_TYPES_BYTES = 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extension: str
    label: str
    # Other extensions people give this type, kept on its name rather than replaced.
    aliases: tuple[str, ...] = ()

    def file_name(self, name: str) -> str:
        """`name` with this type's extension: a.html becomes a.pdf, b.JPEG stays b.JPEG."""
        stem, dot, extension = name.rpartition(".")
        if not dot or not stem:
            stem, extension = name, ""
        if extension.lower() in (self.extension, *self.aliases):
            return name
        return f"{stem or 'attachment'}.{self.extension}"


PDF = FileKind("application/pdf", "pdf", "PDF")
PNG = FileKind("image/png", "png", "PNG image")
JPEG = FileKind("image/jpeg", "jpg", "JPEG image", aliases=("jpeg", "jpe"))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "docx",
    "Word document (.docx)",
)
XLSX = FileKind(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xlsx",
    "Excel workbook (.xlsx)",
)
TEXT = FileKind("text/plain", "txt", "plain text file")
KINDS = (PDF, DOCX, XLSX, PNG, JPEG, TEXT)
ALLOWED_LABELS = ", ".join(kind.label for kind in KINDS[:-1]) + f" or {KINDS[-1].label}"

OTHER_TYPE = f"The selected file must be a {ALLOWED_LABELS}"
WEB_PAGE = (
    "The selected file is a web page or SVG image, which could run code when opened: "
    "save it as a PDF (or an SVG image as a PNG) and upload that"
)
POLYGLOT = (
    "The selected file is a {label} with web page code inside it, which could run when "
    "opened: save it again as a new {label} (for example, print it to PDF) and upload that"
)
MACROS = (
    "The selected file contains macros, which could run code when opened: save it as a "
    "Word document (.docx) or Excel workbook (.xlsx) without macros and upload that"
)
OLD_OFFICE = (
    "The selected file is in the older Word or Excel format (.doc, .xls), which can carry "
    "macros: save it as a Word document (.docx) or Excel workbook (.xlsx) and upload that"
)

MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt and .msg
UTF8_BOM = b"\xef\xbb\xbf"

# In text: the tags by which browsers take content to be HTML (the WHATWG MIME Sniffing
# standard's list), those that run script or load content, and the start of SVG or XML.
TEXT_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|!--|\?xml|html|head|body|script|iframe|frameset|object|embed"
    rb"|applet|svg|math|style|link|meta|base|form|img|title|table|div|font|a|b|p|br|h1)"
    rb"(?=[\s/>])",
    re.IGNORECASE,
)
# In a PDF or image: tags that run script or make a page of it, and none of one or two
# letters, which compressed bytes hold by chance (and no <?xml, which a PDF's and a photo's
# own metadata may start with).
BINARY_MARKUP = re.compile(
    rb"<\s*(?:!doctype\s+html|html|head|body|script|iframe|frameset|object|embed|applet|svg"
    rb"|math|style|link|meta|base|form|img)(?=[\s/>])",
    re.IGNORECASE,
)
# The main part of each Office Open XML type we take, as [Content_Types].xml names it.
OFFICE_MAIN_TYPES = {
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
# Macros and ActiveX controls: a .docm, .xlsm or .dotm, or a .docx or .xlsx that has them.
OFFICE_ACTIVE_CONTENT = re.compile(
    rb"macroEnabled|vbaProject|vbaData|ms-office\.activeX|ms-excel\.(?:intl)?macrosheet",
    re.IGNORECASE,
)
OFFICE_ACTIVE_PARTS = re.compile(
    r"(?:^|/)(?:vbaProject\.bin|vbaData\.xml|activeX/|macrosheets/)", re.IGNORECASE
)


class AttachmentRejected(ValueError):
    pass


def _has_markup(data: bytes, markup: re.Pattern) -> bool:
    return markup.search(data[:MARKUP_WINDOW]) is not None


def _office_kind(data: bytes) -> FileKind:
    """The type of an Office Open XML package, or AttachmentRejected."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = package.namelist()
            info = package.getinfo("[Content_Types].xml")
            too_big = info.file_size > MAX_CONTENT_TYPES_BYTES
            content_types = b"" if too_big else package.read(info)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError, RuntimeError, ValueError, zlib.error):
        # Not a zip, no content types, encrypted, or packed in a way zipfile cannot read.
        raise AttachmentRejected(OTHER_TYPE) from None
    active_parts = any(OFFICE_ACTIVE_PARTS.search(name) for name in names)
    if active_parts or OFFICE_ACTIVE_CONTENT.search(content_types):
        raise AttachmentRejected(MACROS)
    found = {kind for main, kind in OFFICE_MAIN_TYPES.items() if main in content_types}
    if len(found) != 1:
        raise AttachmentRejected(OTHER_TYPE)
    return found.pop()


def detect(data: bytes) -> FileKind:
    """The type of a file from its content; AttachmentRejected, saying what to do instead, if
    it is not one we take."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            if _has_markup(data[len(magic) :], BINARY_MARKUP):
                raise AttachmentRejected(POLYGLOT.format(label=kind.label))
            return kind
    if data.startswith(ZIP_MAGIC):
        return _office_kind(data)
    if data.startswith(OLE2_MAGIC):
        raise AttachmentRejected(OLD_OFFICE)
    text = data.removeprefix(UTF8_BOM)
    if b"\x00" in text:
        raise AttachmentRejected(OTHER_TYPE)
    try:
        # All of it: a character split by an arbitrary boundary is not an error.
        text.decode("utf-8")
    except UnicodeDecodeError:
        raise AttachmentRejected(OTHER_TYPE) from None
    if _has_markup(text, TEXT_MARKUP):
        raise AttachmentRejected(WEB_PAGE)
    return TEXT


def check_upload(uploaded) -> FileKind:
    """Refuse an empty, oversized or unrecognised file, with a message a person can act on."""
    if uploaded.size == 0:
        raise AttachmentRejected("The selected file is empty")
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRejected("The selected file must be smaller than 10MB")
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    return detect(data)


def kind_of(content_type: str) -> FileKind:
    """The type stored for a file (its content type), for serving it under a fitting name;
    plain text for anything else, as it is served with nosniff."""
    return next((kind for kind in KINDS if kind.content_type == content_type), TEXT)
