"""Benchmark: rendering the panel's PDF documents with platypus, beside bare ReportLab.

    .venv/bin/python benchmarks/pdf_documents.py [--runs 5]

Builds, in memory, a 40-case meeting with 300 actions (summaries, three agency updates and
discussion notes per case, attendance, carried-forward actions) and an action log of 2,000
open actions over 8 agencies. For each it times the real renderer in `panels.pdf.documents`
(platypus: the shared page template, wrapped table cells, "Page n of m", escaping, the
embedded DejaVu Sans and Noto fonts with a font per run of characters, children's names in
nine scripts, Arabic, Hebrew and Bengali shaped with HarfBuzz) beside
bare ReportLab: a `Canvas` drawing the same text line by line with `simpleSplit`, the
marking at the top and bottom of each page and "Page n", no platypus. The board copy
(redaction plus rendering) is timed too, with no target.

Each side runs once to warm up, then `--runs` times; the median is reported. Needs no
database. Target: minutes at most 1 s, the log at most 3 s (platypus, median). Exit status 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import reportlab  # noqa: E402
from pypdf import PdfReader  # noqa: E402
from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import simpleSplit  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402

from panels.pdf import (  # noqa: E402
    board_copy,
    render_action_log,
    render_board_copy,
    render_minutes,
)
from panels.pdf.fonts import _FILES as FONT_FILES  # noqa: E402
from panels.pdf.fonts import font as load_font  # noqa: E402
from panels.pdf.model import (  # noqa: E402
    ActionDoc,
    ActionLogDoc,
    AgencyUpdate,
    AttendanceStatus,
    Attendee,
    CaseItem,
    MeetingDoc,
    Rag,
    Sensitivity,
)

TARGETS = {"minutes": 1.0, "action log": 3.0}
MEETING_DAY = date(2026, 11, 18)
AGENCIES = (
    "Fenmarsh Police",
    "Fenmarsh Children's Social Care",
    "Eastbrook Health Trust",
    "Fenmarsh Youth Justice Service",
    "Fenmarsh Housing",
    "Saltings Academy",
    "Fenmarsh Probation",
    "Harbour Voluntary Services",
)
# Names as UK records carry them: the embedded fonts, and HarfBuzz shaping for Arabic,
# Hebrew and Bengali, are part of what is timed.
FIRST = ("Ashby", "Łukasz", "Siân", "Σωκράτης", "Nguyễn", "Şükrü", "يوسف", "יוסף", "অমিত")
LAST = ("Marchbank", "Wójcik", "Őry", "Петренко", "Langdale", "Ormsby", "أحمد", "כהן")
SENTENCE = (
    "{name} was reported missing overnight and returned the next morning; the return home "
    "interview found contact with older males and cash the family could not explain. "
)


def the_meeting(cases: int = 40, actions: int = 300) -> MeetingDoc:
    per_case = [actions // cases + (1 if n < actions % cases else 0) for n in range(cases)]
    items = []
    number = 0
    for n in range(cases):
        first, last = FIRST[n % len(FIRST)], LAST[n % len(LAST)]
        name = f"{first} {last}"
        ref = f"CE-2026-{n + 1:04d}"
        case_actions = []
        for _ in range(per_case[n]):
            number += 1
            case_actions.append(
                ActionDoc(
                    text=f"A{number:04d}: share the latest risk assessment for {first} with the "
                    "lead professional and confirm the safety plan",
                    owner_agency=AGENCIES[number % len(AGENCIES)],
                    owner=f"Officer {number:04d}",
                    due=MEETING_DAY + timedelta(days=7 + number % 21),
                    status="Open",
                    days_overdue=0,
                    rag=(Rag.RED, Rag.AMBER, Rag.GREEN)[number % 3],
                    case_reference=ref,
                    raised_on=MEETING_DAY,
                )
            )
        items.append(
            CaseItem(
                reference=ref,
                initials=f"{first[0]}.{last[0]}.",
                child_name=name,
                date_of_birth=date(2010, 1, 1) + timedelta(days=97 * n),
                address=f"{n + 3} Harrow Lane, Fenmarsh, ZZ{n % 9 + 1} {n % 9 + 1}AB",
                school="Saltings Academy",
                household=(f"Morgan {last}", f"Robin {last}"),
                summary=SENTENCE.format(name=first) * 3,
                risk_level=("High", "Medium", "Low")[n % 3],
                decision=f"Continue the exploitation plan for {first}; review at the next panel.",
                agency_updates=(
                    AgencyUpdate("Fenmarsh Police", SENTENCE.format(name=first) * 2),
                    AgencyUpdate("Saltings Academy", f"{first} attended 71% this half term."),
                    AgencyUpdate(
                        "Fenmarsh Police", "Intelligence on associates.", Sensitivity.PANEL_ONLY
                    ),
                ),
                discussion=SENTENCE.format(name=f"{first} {last}") * 2,
                actions=tuple(case_actions),
            )
        )
    return MeetingDoc(
        panel_name="Fenmarsh Exploitation and Missing Panel",
        meeting_date=MEETING_DAY,
        place="Fenmarsh Civic Centre",
        chair="DI Rowan Ashdown",
        version="1",
        approved_on=None,
        confidentiality_statement="The information discussed is confidential and shared to "
        "protect children. It must not be disclosed beyond the agencies present.",
        attendance=tuple(
            Attendee(f"Member {n}", agency, AttendanceStatus.PRESENT)
            for n, agency in enumerate(AGENCIES)
        ),
        quorum_met=True,
        quorum_missing=(),
        items=tuple(items),
        carried_forward=(),
        next_meeting=MEETING_DAY + timedelta(days=14),
    )


def the_log(count: int = 2000) -> ActionLogDoc:
    return ActionLogDoc(
        panel_name="Fenmarsh Exploitation and Missing Panel",
        generated_on=MEETING_DAY,
        actions=tuple(
            ActionDoc(
                text=f"L{n:04d}: complete the return home interview and share the outcome "
                "with the panel coordinator",
                owner_agency=AGENCIES[n % len(AGENCIES)],
                owner=f"Officer {n % 150:03d}",
                due=MEETING_DAY - timedelta(days=n % 40 - 10),
                status=("Open", "In progress")[n % 2],
                days_overdue=max(0, n % 40 - 10),
                rag=(Rag.RED, Rag.AMBER, Rag.GREEN)[n % 3],
                case_reference=f"CE-2026-{n % 400:04d}",
                raised_on=MEETING_DAY - timedelta(days=14 * (n % 6)),
            )
            for n in range(count)
        ),
    )


# --- Bare ReportLab: the same text on a Canvas ----------------------------------------------


def meeting_lines(doc: MeetingDoc) -> Iterable[str]:
    yield f"Minutes: {doc.panel_name}"
    yield f"{doc.meeting_date} {doc.place} {doc.chair} version {doc.version}"
    yield doc.confidentiality_statement
    for person in doc.attendance:
        yield f"{person.person} | {person.agency} | {person.status_label}"
    for item in doc.items:
        yield f"{item.reference}: {item.child_name} ({item.initials})"
        yield f"{item.date_of_birth} | {item.address} | {item.school} | {', '.join(item.household)}"
        yield item.summary
        for update in item.agency_updates:
            yield f"{update.agency}: {update.text}"
        yield item.discussion
        yield f"Risk: {item.risk_level}. Decision: {item.decision}"
        for action in item.actions:
            yield f"{action.text} | {action.owner_agency} | {action.owner} | {action.due}"
    yield f"Next meeting: {doc.next_meeting}"


def log_lines(log: ActionLogDoc) -> Iterable[str]:
    yield f"Action log: {log.panel_name}"
    for agency in sorted({a.owner_agency for a in log.actions}):
        mine = sorted(
            (a for a in log.actions if a.owner_agency == agency), key=lambda a: -a.days_overdue
        )
        yield f"{agency}: {len(mine)} open"
        for a in mine:
            yield (
                f"{a.case_reference} | {a.text} | {a.owner} | {a.raised_on} | {a.due} | "
                f"{a.status} | {a.days_overdue} | {a.rag.value}"
            )


def bare_canvas(lines: Iterable[str], pagesize: tuple[float, float]) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=pagesize, invariant=1)
    width, height = pagesize
    margin, size, leading = 18 * mm, 9, 12
    page = 1

    def furniture() -> None:
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawCentredString(width / 2, height - 11 * mm, "OFFICIAL-SENSITIVE")
        canvas.drawCentredString(width / 2, 12.5 * mm, "OFFICIAL-SENSITIVE")
        canvas.setFont("Helvetica", 8)
        canvas.drawRightString(width - margin, 7.5 * mm, f"Page {page}")
        canvas.setFont("Helvetica", size)

    furniture()
    y = height - 20 * mm
    for line in lines:
        for part in simpleSplit(line, "Helvetica", size, width - 2 * margin) or [""]:
            if y < 22 * mm:
                canvas.showPage()
                page += 1
                furniture()
                y = height - 20 * mm
            canvas.drawString(margin, y, part)
            y -= leading
        y -= 3
    canvas.save()
    return buffer.getvalue()


# --- Timing ---------------------------------------------------------------------------------


def median_seconds(render: Callable[[], bytes], runs: int) -> tuple[float, bytes]:
    pdf = render()  # warm-up: imports, font metrics, regex compilation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render()
        times.append(time.perf_counter() - start)
    return statistics.median(times), pdf


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per side (median)")
    args = parser.parse_args()

    started = time.perf_counter()
    for name in FONT_FILES:  # once per process: parsing the TrueType files
        load_font(name)
    fonts_seconds = time.perf_counter() - started
    meeting, log = the_meeting(), the_log()
    _, flags = board_copy(meeting)
    print(
        f"ReportLab {reportlab.Version}; Python {platform.python_version()}; "
        f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.2f} at the start."
    )
    print(
        f"Minutes: {len(meeting.items)} cases, "
        f"{sum(len(i.actions) for i in meeting.items)} actions; "
        f"action log: {len(log.actions)} actions, {len({a.owner_agency for a in log.actions})} "
        f"agencies; board copy redaction flags: {len(flags)}."
    )
    print(
        f"Embedded fonts: {len(FONT_FILES)} TrueType files loaded in {fonts_seconds:.2f} s "
        "(once per process, before the warm-up)."
    )
    print(f"Median of {args.runs} timed runs after 1 warm-up, per side.\n")

    rows = [
        ("minutes", "platypus", lambda: render_minutes(meeting)),
        ("minutes", "bare canvas", lambda: bare_canvas(meeting_lines(meeting), A4)),
        ("board copy", "platypus", lambda: render_board_copy(meeting)),
        ("action log", "platypus", lambda: render_action_log(log)),
        ("action log", "bare canvas", lambda: bare_canvas(log_lines(log), landscape(A4))),
    ]
    header = (
        f"{'document':<11} {'renderer':<12} {'seconds':>8} {'pages':>6} {'pages/s':>8} "
        f"{'KiB':>6}  result"
    )
    print(header)
    print("-" * len(header))
    failed = False
    for document, renderer, render in rows:
        seconds, pdf = median_seconds(render, args.runs)
        pages = pages_of(pdf)
        result = ""
        if renderer == "platypus" and document in TARGETS:
            target = TARGETS[document]
            ok = seconds <= target
            failed |= not ok
            result = f"{'PASS' if ok else 'FAIL'} (target <= {target:.0f} s)"
        print(
            f"{document:<11} {renderer:<12} {seconds:>8.3f} {pages:>6} {pages / seconds:>8.1f} "
            f"{len(pdf) / 1024:>6.0f}  {result}"
        )
    print(f"\nLoad average {os.getloadavg()[0]:.2f} at the end.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
