"""The board's reports as PDFs: the quarterly performance report and the themes report.

Each figure is a heading, its bar chart (drawn with ReportLab graphics: the same bars the
dashboard draws as SVG) and the table of its numbers beneath, so the numbers can be read
without the chart. Every page is on the shared page template (`layout.build_pdf`): marked
OFFICIAL-SENSITIVE in header and footer, "Page n of m", the document and version in the
footer. The figures are aggregates: no child is named in them, and this module prints
nothing else about a case.

A figure is any object with `key`, `title`, `header`, `rows`, `chart` ((label, value)
pairs), `unit`, `target` and `note` (board.selectors.Figure); panels does not import board.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from reportlab.graphics.shapes import Drawing, Line, Rect, String
from reportlab.lib import colors
from reportlab.platypus import Flowable, KeepTogether, Spacer

from .fonts import FONT, FONT_BOLD, text_width
from .layout import (
    INK,
    LANDSCAPE,
    PORTRAIT,
    PageFurniture,
    build_pdf,
    data_table,
    esc,
    frame_width,
    heading_over_table,
    markup,
    notice,
    para,
)

BAR = colors.HexColor("#1d70b8")
TARGET = colors.HexColor("#d4351c")
ROW = 15
LABEL_SHARE = 0.34
VALUE_ROOM = 44
# More columns than this and the document is set landscape (a year's months, quarters, total).
PORTRAIT_COLUMNS = 8

NO_CHILD = (
    "No child is identified in this report: every figure is a count, share or time over "
    "many records. Do not add case details to it."
)


class FigureLike(Protocol):
    key: str
    title: str
    header: list[str]
    rows: list[list]
    chart: list[tuple[str, float]]
    unit: str
    target: float | None
    note: str


@dataclass(frozen=True)
class BoardReportDoc:
    """What one board report prints besides its figures."""

    title: str
    subtitle: str
    footer_label: str
    made_on: date
    introduction: str = ""
    twin_url: str = ""


def render_board_report(doc: BoardReportDoc, figures: Sequence[FigureLike]) -> bytes:
    """The report's PDF: title, the notices, then each figure's chart and table."""
    widest = max((len(f.header) for f in figures), default=0)
    pagesize = LANDSCAPE if widest > PORTRAIT_COLUMNS else PORTRAIT
    width = frame_width(pagesize)
    story: list[Flowable] = [para(doc.title, "title"), para(doc.subtitle, "subtitle")]
    if doc.twin_url:
        story.append(
            markup(
                "Accessible version (a web page for screen readers and phones): "
                f"{esc(doc.twin_url)}",
                "body",
            )
        )
    if doc.introduction:
        story.append(para(doc.introduction))
    story.append(notice(NO_CHILD, width))
    for figure in figures:
        story += _figure(figure, width)
    furniture = PageFurniture(
        title=doc.title,
        footer_label=doc.footer_label,
        created_on=doc.made_on,
        draft=False,
        pagesize=pagesize,
    )
    return build_pdf(story, furniture)


def _figure(figure: FigureLike, width: float) -> list[Flowable]:
    page_break, heading = heading_over_table(figure.title, "h1")
    story: list[Flowable] = [Spacer(0, 6), page_break]
    if not figure.rows:
        return [*story, heading, para("Nothing to count for this period.")]
    if figure.chart:
        # The heading goes with its chart: never a heading at the foot of a page alone.
        chart = bar_drawing(figure.chart, width=width, target=figure.target)
        caption = para(f"Chart of {figure.unit}; its numbers are in the table below.", "cell")
        story += [KeepTogether([heading, chart, caption]), Spacer(0, 4)]
    else:
        story.append(heading)
    story.append(
        data_table(
            figure.header,
            # Every cell a paragraph: a long agency or team name wraps inside its column.
            [[para(_cell(cell), "cell") for cell in row] for row in figure.rows],
            _widths(len(figure.header), width),
        )
    )
    if figure.note:
        story.append(para(figure.note, "after_table"))
    return story


def _widths(columns: int, width: float) -> list[float]:
    first = width * (0.5 if columns <= 2 else 0.3 if columns <= 6 else 0.2)
    rest = (width - first) / max(columns - 1, 1)
    return [first, *[rest] * (columns - 1)]


def _cell(value) -> str:
    """As the dashboard's table prints it (`{{ cell }}`): the same text in both."""
    if value is None:
        return ""
    return str(value)


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float) else str(value)


def _short(label: str, room: float, size: float) -> str:
    if text_width(label, size) <= room:
        return label
    while label and text_width(label + "…", size) > room:
        label = label[:-1]
    return label.rstrip() + "…"


def bar_drawing(
    series: Sequence[tuple[str, float]], *, width: float, target: float | None = None
) -> Drawing:
    """Horizontal bars, one per (label, value), the longest the largest value (or target);
    the value is printed at the end of each bar, a target as a dashed red line."""
    size = 8
    values = [float(value or 0) for _, value in series]
    top = max([*values, float(target or 0)]) or 1
    label_width = width * LABEL_SHARE
    span = width - label_width - VALUE_ROOM
    bottom = 14 if target else 2
    height = ROW * len(series) + bottom + 2
    # Its own font from the start: no unembedded Helvetica selected anywhere in the file.
    drawing = Drawing(width, height, initialFontName=FONT, initialFontSize=size)
    for i, ((label, _), value) in enumerate(zip(series, values, strict=True)):
        y = height - (i + 1) * ROW
        bar = span * value / top
        drawing.add(
            String(
                label_width - 5,
                y + 4,
                _short(str(label), label_width - 8, size),
                fontName=FONT,
                fontSize=size,
                fillColor=INK,
                textAnchor="end",
            )
        )
        if bar > 0:
            drawing.add(Rect(label_width, y + 2, bar, ROW - 5, fillColor=BAR, strokeColor=None))
        drawing.add(
            String(
                label_width + bar + 4,
                y + 4,
                _number(value),
                fontName=FONT,
                fontSize=size,
                fillColor=INK,
            )
        )
    if target:
        x = label_width + span * float(target) / top
        drawing.add(
            Line(
                x,
                bottom,
                x,
                height,
                strokeColor=TARGET,
                strokeWidth=1.2,
                strokeDashArray=[4, 3],
            )
        )
        drawing.add(
            String(
                x,
                2,
                f"Target {_number(target)}",
                fontName=FONT_BOLD,
                fontSize=size,
                fillColor=TARGET,
                textAnchor="middle",
            )
        )
    return drawing
