"""The one page template every panel document uses, its styles, and the escaping of user text.

Every page carries the OFFICIAL-SENSITIVE marking in its header and footer, the footer says
"Page n of m" and which document, version and approval it belongs to, and a draft carries a
diagonal "DRAFT" watermark beneath its content. "Page n of m" needs the total before any
footer is drawn, so `_NumberedCanvas` keeps each finished page and draws the footers when the
document is saved (one layout pass, not two).
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Table,
)

from .fonts import FONT, FONT_BOLD, ensure_loaded, runs, text_width

MARKING = "OFFICIAL-SENSITIVE"
PORTRAIT = A4
LANDSCAPE = landscape(A4)

MARGIN_X = 18 * mm
MARGIN_TOP = 20 * mm
MARGIN_BOTTOM = 22 * mm

INK = colors.HexColor("#0b0c0c")
HEADER_FILL = colors.HexColor("#1d3a5f")
RULE = colors.HexColor("#b1b4b6")
ZEBRA = colors.HexColor("#f3f2f1")
CAPTION_FILL = colors.HexColor("#dde4ec")
WATERMARK_GREY = colors.Color(0.86, 0.86, 0.86)
RAG_FILL = {
    "red": colors.HexColor("#f4c7c3"),
    "amber": colors.HexColor("#fde7b0"),
    "green": colors.HexColor("#cce8d4"),
}


# --- Escaping -------------------------------------------------------------------------------

# Characters XML 1.0 does not allow; ReportLab's paragraph parser stops at them.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
_ENTITIES = {'"': "&quot;", "'": "&#39;"}


def esc(text: object, *, bold: bool = False) -> str:
    """User text made safe for Paragraph markup: printed literally, line breaks kept, each
    run of characters in a font that has them (`fonts.runs`), placeholders for the rest.

    `<b>Jo</b> & co` prints as typed, `<font size=200>` cannot change the layout. `bold`
    says the text stands in bold (a bold style, or inside `<b>`): the runs of other
    scripts then use their bold fonts.
    """
    ensure_loaded()
    plain = _NOT_XML.sub("", str(text)).replace("\r\n", "\n").replace("\r", "\n")
    return "<br/>".join(_line_markup(line, bold) for line in plain.split("\n"))


def _line_markup(line: str, bold: bool) -> str:
    out = []
    for run in runs(line, bold):
        printed = escape(run.printed, _ENTITIES)
        if run.font in (FONT, FONT_BOLD):
            out.append(printed)
        else:
            out.append(f'<font name="{run.font}">{printed}</font>')
    return "".join(out)


# --- Styles ---------------------------------------------------------------------------------

_BASE = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)

STYLES: dict[str, ParagraphStyle] = {
    "title": ParagraphStyle("title", _BASE, fontName=FONT_BOLD, fontSize=16, leading=20),
    "subtitle": ParagraphStyle("subtitle", _BASE, fontSize=10.5, leading=14, spaceAfter=6),
    "h1": ParagraphStyle(
        "h1",
        _BASE,
        fontName=FONT_BOLD,
        fontSize=12.5,
        leading=16,
        spaceBefore=12,
        spaceAfter=4,
        keepWithNext=True,
    ),
    "h2": ParagraphStyle(
        "h2",
        _BASE,
        fontName=FONT_BOLD,
        fontSize=10.5,
        leading=13,
        spaceBefore=7,
        spaceAfter=2,
        keepWithNext=True,
    ),
    "body": ParagraphStyle("body", _BASE, spaceAfter=4),
    "after_table": ParagraphStyle("after_table", _BASE, spaceBefore=5, spaceAfter=4),
    "notice": ParagraphStyle("notice", _BASE, fontSize=9, leading=12),
    "cell": ParagraphStyle("cell", _BASE, fontSize=8.5, leading=10.5),
    "cell_bold": ParagraphStyle("cell_bold", _BASE, fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
    "caption": ParagraphStyle("caption", _BASE, fontName=FONT_BOLD, fontSize=10, leading=13),
    "cell_head": ParagraphStyle(
        "cell_head", _BASE, fontName=FONT_BOLD, fontSize=8.5, leading=10.5, textColor=colors.white
    ),
}
_NOT_KEPT = {
    name: ParagraphStyle(f"{name}_over_table", STYLES[name], keepWithNext=False)
    for name in ("h1", "h2")
}


def para(text: object, style: str = "body") -> Paragraph:
    """A paragraph of user text, escaped."""
    return Paragraph(esc(text, bold=_bold(style)), STYLES[style])


def markup(trusted: str, style: str = "body") -> Paragraph:
    """A paragraph whose markup the code wrote; any user text inside went through `esc`."""
    ensure_loaded()
    return Paragraph(trusted, STYLES[style])


def _bold(style: str) -> bool:
    return STYLES[style].fontName == FONT_BOLD


def heading_over_table(text: object, style: str = "h2") -> list[Flowable]:
    """A heading for a table: a new page first when fewer than a heading and a few rows fit.

    Not keepWithNext: that would move a whole table that does not fit the rest of the page
    to the next one, leaving the rest of this page empty.
    """
    return [CondPageBreak(28 * mm), Paragraph(esc(text, bold=True), _NOT_KEPT[style])]


def notice(text: object, width: float) -> Table:
    """A boxed paragraph across the frame, as wide as the tables: the confidentiality statement."""
    return Table(
        [[para(text, "notice")]],
        colWidths=[width],
        style=[
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("BACKGROUND", (0, 0), (-1, -1), ZEBRA),
            ("BOX", (0, 0), (-1, -1), 0.5, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
        hAlign="LEFT",
        spaceBefore=8,
        spaceAfter=4,
        splitInRow=1,
    )


# --- Tables ---------------------------------------------------------------------------------


def frame_width(pagesize: tuple[float, float]) -> float:
    return pagesize[0] - 2 * MARGIN_X


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Flowable | str]],
    widths: Sequence[float],
    *,
    fills: Sequence[tuple[tuple[int, int], colors.Color]] = (),
    caption: str = "",
) -> Table:
    """A table whose header row (and caption, if any) repeats on every page it runs over.

    `widths` are in points. `fills` colour single cells ((column, row), colour), rows counted
    from the first data row. A caption is a row across the table above the header, so a
    group's name shows on each page the group runs over.
    """
    top = 1 if caption else 0
    head = [Paragraph(esc(label, bold=True), STYLES["cell_head"]) for label in header]
    lead = (
        [[Paragraph(esc(caption, bold=True), STYLES["caption"])] + [""] * (len(header) - 1)]
        if top
        else []
    )
    style = [
        ("BACKGROUND", (0, top), (-1, top), HEADER_FILL),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 1), (-1, -1), 8.5),
        ("LEADING", (0, 1), (-1, -1), 10.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, top + 1), (-1, -1), [colors.white, ZEBRA]),
    ]
    if top:
        style += [("SPAN", (0, 0), (-1, 0)), ("BACKGROUND", (0, 0), (-1, 0), CAPTION_FILL)]
    first = top + 1
    style += [("BACKGROUND", (c, r + first), (c, r + first), fill) for (c, r), fill in fills]
    return Table(
        [*lead, head, *[list(row) for row in rows]],
        colWidths=list(widths),
        repeatRows=first,
        style=style,
        hAlign="LEFT",
        spaceAfter=4,
        # A row taller than a page (a very long action) splits inside the row instead of
        # failing the whole document with a LayoutError.
        splitInRow=1,
    )


def details_table(pairs: Sequence[tuple[str, Flowable | str]], width: float) -> Table:
    """Label and value pairs, labels in bold in a narrow first column."""
    rows = [
        [Paragraph(esc(label, bold=True), STYLES["cell_bold"]), value] for label, value in pairs
    ]
    return Table(
        rows,
        colWidths=[0.22 * width, 0.78 * width],
        style=[
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ],
        hAlign="LEFT",
        splitInRow=1,
    )


# --- The page template ----------------------------------------------------------------------


@dataclass(frozen=True)
class PageFurniture:
    """What every page of one document carries besides its content."""

    title: str  # the document's title, also its PDF metadata title
    footer_label: str  # e.g. "Minutes of ..., version 2, approved 19 March 2025"
    created_on: date  # the fixed creation date written into the file
    draft: bool  # a diagonal DRAFT watermark on every page
    pagesize: tuple[float, float] = PORTRAIT
    subject: str = ""

    def draw_page_start(self, canvas: Canvas, _doc: BaseDocTemplate) -> None:
        """Header marking and watermark, drawn before the content so they sit beneath it."""
        width, height = self.pagesize
        if self.draft:
            canvas.saveState()
            canvas.setFillColor(WATERMARK_GREY)
            canvas.setFont(FONT_BOLD, 150 if width < height else 170)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(45 if width < height else 30)
            canvas.drawCentredString(0, -50, "DRAFT")
            canvas.restoreState()
        canvas.saveState()
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawCentredString(width / 2, height - 11 * mm, MARKING)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, height - 13.5 * mm, width - MARGIN_X, height - 13.5 * mm)
        canvas.restoreState()

    def draw_footer(self, canvas: Canvas, number: int, total: int) -> None:
        width, _height = self.pagesize
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, 17 * mm, width - MARGIN_X, 17 * mm)
        canvas.setFillColor(INK)
        canvas.setFont(FONT_BOLD, 10)
        canvas.drawCentredString(width / 2, 12.5 * mm, MARKING)
        page = f"Page {number} of {total}"
        canvas.setFont(FONT, 8)
        canvas.drawRightString(width - MARGIN_X, 7.5 * mm, page)
        room = width - 2 * MARGIN_X - text_width(page, 8) - 12
        # DejaVu Sans is wider than Helvetica: a long label is set smaller before it is cut.
        size = next((s for s in (8, 7.5, 7, 6.5) if text_width(self.footer_label, s) <= room), 6.5)
        draw_text(canvas, MARGIN_X, 7.5 * mm, _fit(self.footer_label, room, size), size)
        canvas.restoreState()


def draw_text(canvas: Canvas, x: float, y: float, text: str, size: float) -> None:
    """User text drawn straight on the canvas (the footer), a font for each run."""
    for run in runs(" ".join(text.split())):
        canvas.setFont(run.font, size)
        canvas.drawString(x, y, run.printed)
        x += stringWidth(run.printed, run.font, size)


def _fit(text: str, room: float, size: float) -> str:
    """`text` cut with an ellipsis so it fits `room` points."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


class _NumberedCanvas(Canvas):
    """Keeps finished pages until save(), when the total is known and footers can be drawn."""

    def __init__(self, *args, furniture: PageFurniture, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._finished_pages: list[dict] = []
        created = furniture.created_on
        # The file says it was created on the document's own date (approval, meeting or
        # generation), not when it was rendered: the same version gives the same bytes.
        self.setDateFormatter(
            lambda *_now: f"D:{created.year:04d}{created.month:02d}{created.day:02d}000000+00'00'"
        )

    def showPage(self) -> None:
        self._finished_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._finished_pages)
        for number, state in enumerate(self._finished_pages, start=1):
            self.__dict__.update(state)
            self._furniture.draw_footer(self, number, total)
            super().showPage()
        super().save()


def build_pdf(story: list[Flowable], furniture: PageFurniture) -> bytes:
    """Lay `story` out on the shared page template and return the PDF's bytes.

    Invariant mode is set on this document only (not the process-wide rl_config switch,
    which other threads may be rendering under): a fixed ID and timestamp, so the same
    input gives the same bytes.
    """
    ensure_loaded()
    buffer = io.BytesIO()
    width, height = furniture.pagesize
    template = BaseDocTemplate(
        buffer,
        pagesize=furniture.pagesize,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=furniture.title,
        author="Safeguarding Panels",
        subject=furniture.subject or MARKING,
        creator="Safeguarding Panels",
        invariant=1,
        pageCompression=1,
        initialFontName=FONT,  # no unembedded Helvetica selected anywhere in the file
        initialFontSize=9.5,
    )
    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        width - 2 * MARGIN_X,
        height - MARGIN_TOP - MARGIN_BOTTOM,
        id="content",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    template.addPageTemplates(
        [PageTemplate(id="page", frames=[frame], onPage=furniture.draw_page_start)]
    )
    template.build(
        story,
        # Each page starts in the documents' font: no unembedded Helvetica in the file.
        canvasmaker=functools.partial(_NumberedCanvas, furniture=furniture),
    )
    return buffer.getvalue()


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def long_date(day: date | None) -> str:
    """19 March 2025, as UK documents write dates (not strftime: its month names follow the
    process locale, and the same version must give the same bytes)."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}" if day else ""


def short_date(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""
