"""Bar charts drawn on the server as SVG: no script, no inline style (the strict CSP), a
viewBox that scales to the width of a phone at 360 px, and a <title> and <desc> that name the
chart and point to the table of its numbers beside it (which is what a screen reader reads,
and what print keeps)."""

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
ROW = 28
LABEL_WIDTH = 230
VALUE_WIDTH = 70
BAR_COLOUR = "#1d70b8"
TARGET_COLOUR = "#d4351c"
TEXT_COLOUR = "#0b0c0c"


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(
    *, chart_id: str, title: str, series: list[tuple[str, float]], unit: str, target=None
) -> SafeString:
    """Horizontal bars, one per (label, value), longest bar the largest value (or target)."""
    if not series:
        return mark_safe("")  # noqa: S308 (nothing to draw)
    top = max([value for _, value in series] + [target or 0]) or 1
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = ROW * len(series) + (24 if target else 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        ' preserveAspectRatio="xMinYMin meet" focusable="false">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">Bar chart of {escape(unit)}; the same figures are in the'
        " table that follows.</desc>",
    ]
    for i, (label, value) in enumerate(series):
        y = i * ROW + 4
        bar = round(span * (value / top), 1) if value else 0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 17}" text-anchor="end" font-size="14"'
            f' fill="{TEXT_COLOUR}">{escape(_short(str(label)))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar}" height="{ROW - 8}"'
            f' fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + bar + 6}" y="{y + 17}" font-size="14"'
            f' fill="{TEXT_COLOUR}">{escape(_number(value))}</text>'
        )
    if target:
        x = LABEL_WIDTH + round(span * (target / top), 1)
        bottom = ROW * len(series) + 4
        parts.append(
            f'<line x1="{x}" y1="0" x2="{x}" y2="{bottom}" stroke="{TARGET_COLOUR}"'
            ' stroke-width="2" stroke-dasharray="6 4"/>'
            f'<text x="{x}" y="{bottom + 16}" text-anchor="middle" font-size="13"'
            f' fill="{TARGET_COLOUR}">Target {escape(_number(target))}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def _number(value) -> str:
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}"
    return str(int(value)) if isinstance(value, float) else str(value)
