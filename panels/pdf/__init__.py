"""Panel documents as PDFs (ReportLab platypus), rendered from the view-models in `model`.

    from panels.pdf import render_minutes, render_board_copy, board_copy
    pdf_bytes = render_minutes(meeting_doc)

See docs/documents.md for what each document contains and the board copy's redaction rules.
"""

from .documents import render_action_log, render_agency_extract, render_board_copy, render_minutes
from .redaction import board_copy

__all__ = [
    "board_copy",
    "render_action_log",
    "render_agency_extract",
    "render_board_copy",
    "render_minutes",
]
