"""The panel's documents: full minutes, the board copy, an agency's action extract, the action
log. Each takes a view-model from `model.py` and returns the PDF's bytes; the same input gives
the same bytes (see `layout.build_pdf`).

Every piece of user text reaches ReportLab through `layout.para` or `layout.esc`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, Spacer

from .fonts import FONT_BOLD
from .layout import (
    LANDSCAPE,
    PORTRAIT,
    RAG_FILL,
    PageFurniture,
    build_pdf,
    data_table,
    details_table,
    esc,
    frame_width,
    heading_over_table,
    long_date,
    markup,
    notice,
    para,
    short_date,
)
from .model import ActionDoc, ActionLogDoc, CaseItem, MeetingDoc, Rag, Sensitivity, ThemeItem
from .redaction import board_copy

_SENSITIVITY_LABEL = {
    Sensitivity.NOT_FOR_FAMILY: "Not for family",
    Sensitivity.PANEL_ONLY: "Panel only",
}
# What the board copy prints for a theme in place of what was said (the HTML twin too).
THEME_NOT_IN_BOARD_COPY = (
    "Discussed by the panel. What was said is intelligence held for the panel and is not in "
    "the board copy."
)

_BOARD_NOTE = (
    "Board copy. Each child is identified only by referral reference and initials; names, "
    "dates of birth, addresses and schools are removed, and contributions marked panel only "
    "or not for family are left out."
)


def render_minutes(doc: MeetingDoc, *, twin_url: str = "") -> bytes:
    """The full minutes, for the members of the panel. `twin_url`, when given, is printed
    on the first page: the address of the same document as an accessible web page."""
    return _render_meeting(
        doc, kind="Minutes", twin_url=twin_url or _address(doc, DocumentPage.MINUTES)
    )


def render_board_copy(doc: MeetingDoc, *, twin_url: str = "") -> bytes:
    """The minutes as the board receives them: redacted by `redaction.board_copy`.

    The coordinator should see the flags `board_copy` returns before the minutes are
    approved; this only renders.
    """
    board = doc if doc.is_board_copy else board_copy(doc)[0]
    return _render_meeting(
        board,
        kind="Board copy of minutes",
        twin_url=twin_url or _address(board, DocumentPage.BOARD_COPY),
    )


def render_agency_extract(doc: MeetingDoc, agency_name: str, *, twin_url: str = "") -> bytes:
    """The actions of one agency from a meeting: those agreed and those carried forward."""
    width = frame_width(PORTRAIT)
    story: list[Flowable] = [
        para(f"Actions for {agency_name}", "title"),
        para(f"{doc.panel_name}, meeting of {long_date(doc.meeting_date)}", "subtitle"),
        *_twin_notice(twin_url),
        _meeting_details(doc, width),
        notice(doc.confidentiality_statement, width),
    ]
    agreed, carried = extract_rows(doc, agency_name)
    story += heading_over_table("Actions agreed at this meeting", "h1")
    if agreed:
        story.append(
            _extract_table(
                agreed,
                width,
            )
        )
    else:
        story.append(para(f"No actions for {agency_name} were agreed at this meeting."))
    story += heading_over_table("Actions carried forward from earlier meetings", "h1")
    if carried:
        story.append(_extract_table(carried, width))
    else:
        story.append(para(f"No open actions of {agency_name} were carried forward."))
    title = f"Actions for {agency_name}: {doc.panel_name}, {long_date(doc.meeting_date)}"
    return build_pdf(story, _meeting_furniture(doc, title))


def extract_rows(
    doc: MeetingDoc, agency_name: str
) -> tuple[list[tuple[str, ActionDoc]], list[tuple[str, ActionDoc]]]:
    """One agency's actions, as (case, action): agreed at the meeting, and carried forward.
    The PDF extract and its web page both print these."""
    agency_key = _key(agency_name)
    agreed = [
        (f"{item.reference} ({item.initials})", action)
        for item in doc.items
        for action in item.actions
        if _key(action.owner_agency) == agency_key
    ] + [("No case", a) for a in doc.other_actions if _key(a.owner_agency) == agency_key]
    initials = {item.reference: item.initials for item in doc.items}
    carried = [
        (_case_label(a, initials), a)
        for a in doc.carried_forward
        if _key(a.owner_agency) == agency_key
    ]
    return agreed, carried


def action_log_groups(log: ActionLogDoc) -> list[tuple[str, list[ActionDoc]]]:
    """The log's actions by agency in name order, most overdue first within each."""
    by_agency: dict[str, list[ActionDoc]] = defaultdict(list)
    for action in log.actions:
        by_agency[action.owner_agency].append(action)
    for actions in by_agency.values():
        actions.sort(key=lambda a: (-a.days_overdue, a.due, a.case_reference, a.text))
    return [(agency, by_agency[agency]) for agency in sorted(by_agency, key=_key)]


def action_log_subtitle(log: ActionLogDoc) -> str:
    return (
        f"Open actions on {long_date(log.generated_on)}: {len(log.actions)} open, "
        f"{sum(1 for a in log.actions if a.days_overdue > 0)} overdue"
    )


def render_action_log(log: ActionLogDoc, *, twin_url: str = "") -> bytes:
    """Every open action of a panel, grouped by agency, most overdue first, with a summary."""
    width = frame_width(LANDSCAPE)
    groups = action_log_groups(log)
    by_agency = dict(groups)
    agencies = [agency for agency, _actions in groups]

    story: list[Flowable] = [
        para(f"Action log: {log.panel_name}", "title"),
        para(action_log_subtitle(log), "subtitle"),
        *_twin_notice(twin_url),
        _log_summary(agencies, by_agency, width),
        Spacer(0, 4),
        markup(
            "Days overdue are working days past the due date (weekends and bank holidays do "
            "not count). RAG: red, amber or green as the panel set it.",
            "body",
        ),
    ]
    for agency in agencies:
        actions = by_agency[agency]
        overdue = sum(1 for a in actions if a.days_overdue > 0)
        story.append(CondPageBreak(30 * mm))
        story.append(Spacer(0, 10))
        story.append(
            _log_table(actions, width, f"{agency}: {len(actions)} open, {overdue} overdue")
        )
    if not log.actions:
        story.append(para("There are no open actions."))
    title = f"Action log: {log.panel_name}"
    furniture = PageFurniture(
        title=title,
        footer_label=f"Action log of {log.panel_name}, generated {long_date(log.generated_on)}",
        created_on=log.generated_on,
        draft=False,
        pagesize=LANDSCAPE,
    )
    return build_pdf(story, furniture)


# --- The minutes ----------------------------------------------------------------------------


class DocumentPage:
    """The names of the documents' web pages under `MeetingDoc.document_address`."""

    MINUTES = "minutes.html"
    BOARD_COPY = "board.html"


def _address(doc: MeetingDoc, page: str) -> str:
    return f"{doc.document_address}{page}" if doc.document_address else ""


def _twin_notice(twin_url: str) -> list[Flowable]:
    """The address of the same document as a web page, readable by a screen reader (the
    PDF is not tagged: ReportLab cannot write tagged PDF)."""
    if not twin_url:
        return []
    link = esc(twin_url)
    return [
        markup(
            "Accessible version (a web page for screen readers and phones): "
            f'<a href="{link}" color="#1d70b8"><u>{link}</u></a>',
            "body",
        )
    ]


def _render_meeting(doc: MeetingDoc, *, kind: str, twin_url: str = "") -> bytes:
    width = frame_width(PORTRAIT)
    story: list[Flowable] = [
        para(f"{kind}: {doc.panel_name}", "title"),
        para(f"Meeting of {long_date(doc.meeting_date)}", "subtitle"),
        *_twin_notice(twin_url),
        _meeting_details(doc, width),
    ]
    if doc.is_board_copy:
        story.append(Spacer(0, 4))
        story.append(markup(f"<i>{esc(_BOARD_NOTE)}</i>"))
    story.append(notice(doc.confidentiality_statement, width))

    story += heading_over_table("1. Attendance and apologies", "h1")
    if doc.attendance:
        story.append(
            data_table(
                ["Name", "Agency", "Attendance"],
                [
                    [para(a.person, "cell"), para(a.agency, "cell"), para(a.status_label, "cell")]
                    for a in doc.attendance
                ],
                [0.34 * width, 0.38 * width, 0.28 * width],
            )
        )
    if doc.quorum_met:
        story.append(markup("<b>Quorum:</b> met.", "after_table"))
    else:
        missing = ", ".join(doc.quorum_missing) or "agencies required by the panel"
        story.append(markup(f"<b>Quorum:</b> not met. Missing: {esc(missing)}.", "after_table"))

    initials = {item.reference: item.initials for item in doc.items}
    story += heading_over_table("2. Actions carried forward from earlier meetings", "h1")
    if doc.carried_forward:
        story.append(
            _actions_table(
                doc.carried_forward, width, case_of=lambda a: _case_label(a, initials), status=True
            )
        )
    else:
        story.append(para("No open actions were carried forward."))

    story.append(para("3. Children discussed", "h1"))
    if not doc.items:
        story.append(para("No children were discussed."))
    for number, item in enumerate(doc.items, start=1):
        story += _case_item(item, f"3.{number}", width, board=doc.is_board_copy)
    if doc.themes:
        story.append(para("Themes discussed", "h2"))
        for number, theme in enumerate(doc.themes, start=1):
            story += _theme_item(theme, f"T{number}", board=doc.is_board_copy)
    if doc.other_actions:
        story += heading_over_table("Other actions agreed at this meeting", "h2")
        story.append(_actions_table(doc.other_actions, width))

    story.append(para("4. Date of next meeting", "h1"))
    story.append(para(long_date(doc.next_meeting) or "To be arranged."))
    story.append(para("5. Version and approval", "h1"))
    story.append(para(_approval_sentence(doc)))
    title = f"{kind}: {doc.panel_name}, {long_date(doc.meeting_date)}"
    return build_pdf(story, _meeting_furniture(doc, title))


def _theme_item(theme: ThemeItem, number: str, *, board: bool) -> list[Flowable]:
    out: list[Flowable] = [para(f"{number} {theme.title}", "h2")]
    if board:
        out.append(para(THEME_NOT_IN_BOARD_COPY))
        return out
    out.append(para("Discussion", "h2"))
    out.append(para(theme.discussion or "None recorded."))
    out.append(para("Decision", "h2"))
    out.append(para(theme.decision or "None recorded."))
    return out


def _case_item(item: CaseItem, number: str, width: float, *, board: bool) -> list[Flowable]:
    heading = (
        f"{number} {item.reference} ({item.initials})"
        if board
        else f"{number} {item.reference}: {item.child_name} ({item.initials})"
    )
    out: list[Flowable] = [para(heading, "h2")]
    if board:
        pairs = [
            ("Reference", para(item.reference, "cell")),
            ("Initials", para(item.initials, "cell")),
        ]
    else:
        pairs = [
            ("Reference", para(item.reference, "cell")),
            ("Name", para(item.child_name, "cell")),
            ("Date of birth", para(short_date(item.date_of_birth) or "Not known", "cell")),
            ("Address", para(item.address or "Not known", "cell")),
            ("School", para(item.school or "Not known", "cell")),
        ]
        if item.aliases:
            pairs.append(("Also known as", para(", ".join(item.aliases), "cell")))
        if item.household:
            pairs.append(("Family and household", para(", ".join(item.household), "cell")))
    pairs += [
        ("Risk level agreed", para(item.risk_level, "cell")),
    ]
    out.append(details_table(pairs, width))
    out.append(para("Summary", "h2"))
    out.append(para(item.summary or "None recorded."))
    updates = [u for u in item.agency_updates if not board or u.sensitivity is Sensitivity.NORMAL]
    out.append(para("Agency updates", "h2"))
    if not updates:
        out.append(para("None recorded."))
    for update in updates:
        label = _SENSITIVITY_LABEL.get(update.sensitivity)
        tag = f" <i>[{esc(label)}]</i>" if label else ""
        out.append(markup(f"<b>{esc(update.agency, bold=True)}</b>{tag}: {esc(update.text)}"))
    if item.discussion:
        out.append(para("Discussion", "h2"))
        out.append(para(item.discussion))
    out.append(para("Decision", "h2"))
    out.append(para(item.decision or "None recorded."))
    out += heading_over_table("Actions", "h2")
    if item.actions:
        out.append(_actions_table(item.actions, width))
    else:
        out.append(para("No actions."))
    return out


def _actions_table(
    actions: Iterable[ActionDoc], width: float, *, case_of=None, status: bool = False
) -> Flowable:
    header = ["Action", "Owner agency", "Owner", "Due"]
    widths = [0.46, 0.22, 0.2, 0.12]
    if status:
        header.append("Status")
        widths = [0.36, 0.2, 0.16, 0.12, 0.16]
    if case_of:
        header.insert(0, "Case")
        widths = [0.16, *[w * 0.84 for w in widths]]
    rows = []
    for action in actions:
        row: list = [
            para(action.text, "cell"),
            para(action.owner_agency, "cell"),
            para(action.owner or "Not named", "cell"),
            short_date(action.due),
        ]
        if status:
            row.append(para(action.status, "cell"))
        if case_of:
            row.insert(0, para(case_of(action), "cell"))
        rows.append(row)
    return data_table(header, rows, [w * width for w in widths])


def _extract_table(rows: list[tuple[str, ActionDoc]], width: float) -> Flowable:
    return data_table(
        ["Case", "Action", "Owner", "Due", "Status"],
        [
            [
                para(case, "cell"),
                para(action.text, "cell"),
                para(action.owner or "Not named", "cell"),
                short_date(action.due),
                para(action.status, "cell"),
            ]
            for case, action in rows
        ],
        [w * width for w in (0.17, 0.43, 0.17, 0.11, 0.12)],
    )


def _meeting_details(doc: MeetingDoc, width: float) -> Flowable:
    return details_table(
        [
            ("Panel", para(doc.panel_name, "cell")),
            ("Date", para(long_date(doc.meeting_date), "cell")),
            ("Place", para(doc.place or "Not recorded", "cell")),
            ("Chair", para(doc.chair or "Not recorded", "cell")),
            ("Version", para(doc.version, "cell")),
            ("Status", para(_status(doc), "cell")),
        ],
        width,
    )


def status_sentence(doc: MeetingDoc) -> str:
    return _status(doc)


def approval_sentence(doc: MeetingDoc) -> str:
    return _approval_sentence(doc)


BOARD_NOTE = _BOARD_NOTE
SENSITIVITY_LABEL = _SENSITIVITY_LABEL


def _status(doc: MeetingDoc) -> str:
    if doc.approved_on:
        return f"Approved by the chair on {long_date(doc.approved_on)}"
    return "DRAFT: not yet approved by the chair"


def _approval_sentence(doc: MeetingDoc) -> str:
    if doc.approved_on:
        return f"Version {doc.version}, approved by the chair on {long_date(doc.approved_on)}."
    return f"Version {doc.version} is a draft: not yet approved by the chair."


def _meeting_furniture(doc: MeetingDoc, title: str) -> PageFurniture:
    approval = f"approved {long_date(doc.approved_on)}" if doc.approved_on else "DRAFT"
    return PageFurniture(
        title=title,
        footer_label=f"{title}, version {doc.version}, {approval}",
        # The approval date once approved, the meeting's date before: a fixed date either way.
        created_on=doc.approved_on or doc.meeting_date,
        draft=not doc.is_approved,
    )


# --- The action log -------------------------------------------------------------------------


def _log_summary(
    agencies: list[str], by_agency: dict[str, list[ActionDoc]], width: float
) -> Flowable:
    def counts(actions: list[ActionDoc]) -> list[str]:
        return [
            str(len(actions)),
            str(sum(1 for a in actions if a.days_overdue > 0)),
            str(sum(1 for a in actions if a.rag is Rag.RED)),
            str(sum(1 for a in actions if a.rag is Rag.AMBER)),
            str(sum(1 for a in actions if a.rag is Rag.GREEN)),
            str(max((a.days_overdue for a in actions), default=0)),
        ]

    rows: list[list] = [[para(agency, "cell"), *counts(by_agency[agency])] for agency in agencies]
    every = [a for agency in agencies for a in by_agency[agency]]
    rows.append([markup("<b>All agencies</b>", "cell"), *counts(every)])
    table = data_table(
        ["Agency", "Open", "Overdue", "Red", "Amber", "Green", "Most days overdue"],
        rows,
        [w * width for w in (0.4, 0.09, 0.09, 0.09, 0.09, 0.09, 0.15)],
    )
    table.setStyle([("FONTNAME", (0, -1), (-1, -1), FONT_BOLD)])
    return table


def _log_table(actions: list[ActionDoc], width: float, caption: str) -> Flowable:
    rows = []
    fills = []
    for n, action in enumerate(actions):
        rows.append(
            [
                para(action.case_reference or "", "cell"),
                para(action.text, "cell"),
                para(action.owner or "Not named", "cell"),
                short_date(action.raised_on),
                short_date(action.due),
                para(action.status, "cell"),
                str(action.days_overdue) if action.days_overdue > 0 else "",
                action.rag.value.capitalize(),
            ]
        )
        fills.append(((7, n), RAG_FILL[action.rag.value]))
    return data_table(
        ["Case", "Action", "Owner", "Raised", "Due", "Status", "Days overdue", "RAG"],
        rows,
        [w * width for w in (0.11, 0.39, 0.14, 0.075, 0.075, 0.09, 0.07, 0.05)],
        fills=fills,
        caption=caption,
    )


def _case_label(action: ActionDoc, initials: dict[str, str]) -> str:
    if not action.case_reference:
        return ""
    known = initials.get(action.case_reference)
    return f"{action.case_reference} ({known})" if known else action.case_reference


def _key(agency: str) -> str:
    return " ".join(agency.split()).casefold()
