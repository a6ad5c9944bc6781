"""View-models for the document tests, seeded with distinctive fictional strings.

The first child's and household's names, date of birth, address and school are written into
the meeting's own free text as well (summaries, agency updates, discussion, decisions and
actions), in the ways people type them: possessives, capitals, other date formats, a bare
postcode, the school's short name. The board copy must contain none of them.
"""

import io
import re
from datetime import date, timedelta

import pytest
from pypdf import PdfReader

from panels.pdf.model import (
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

MEETING_DAY = date(2025, 3, 12)
APPROVED_DAY = date(2025, 3, 19)

CHILD = "Zephyrine Quillbottom"
HOUSEHOLD = ("Barnaby Quillbottom", "Morwenna Pettigrew")
SCHOOL = "Thistledown Academy"
ADDRESS = "14 Marrowgate Lane, Fenmarsh, ZZ9 9ZZ"
BIRTH = date(2013, 7, 3)
PEER = "Ptolemy Fairweather-Oakes"
PEER_SCHOOL = "Wrenfield Priory School"
PEER_ADDRESS = "Flat 2, 31 Cobblestitch Road, Fenmarsh, ZZ1 4QX"
PEER_BIRTH = date(2011, 11, 28)
UNKNOWN_RELATIVE = "Kendrew"  # typed next to the family name, never given as a name

# Strings that identify a child or their family: none may appear in a board copy.
IDENTIFYING = (
    "Zephyrine",
    "Zephy",
    "Quillbottom",
    "Barnaby",
    "Morwenna",
    "Pettigrew",
    "Thistledown",
    "Marrowgate",
    "ZZ9 9ZZ",
    "ZZ99ZZ",
    "03/07/2013",
    "3 July 2013",
    "3rd July 2013",
    "2013-07-03",
    "Ptolemy",
    "Fairweather",
    "Oakes",
    "Wrenfield",
    "Cobblestitch",
    "ZZ1 4QX",
    "28/11/2011",
    UNKNOWN_RELATIVE,
)
PANEL_ONLY_MARKER = "PANELONLYMARKER7731 intelligence"
NOT_FOR_FAMILY_MARKER = "NOTFORFAMILYMARKER4402 disclosure"
STATEMENT = (
    "The information discussed is confidential and shared to protect children. It must not "
    "be disclosed beyond the agencies present without the chair's agreement."
)

AGENCIES = (
    "Fenmarsh Police",
    "Fenmarsh Children's Social Care",
    "Eastbrook Health Trust",
    SCHOOL,
    "Fenmarsh Housing",
)


def action(n, agency, *, reference="", due=None, rag=Rag.AMBER, overdue=0, text=None):
    return ActionDoc(
        text=text or f"ACT-{n:04d} follow up with the family and report back",
        owner_agency=agency,
        owner=f"Officer {n:04d}",
        due=due or MEETING_DAY + timedelta(days=14),
        status="Open",
        days_overdue=overdue,
        rag=rag,
        case_reference=reference,
        raised_on=MEETING_DAY,
    )


def seeded_child(*, first_action=1):
    """The child whose identity the board copy must not show, named all through the text."""
    ref = "CE-2025-0012"
    return CaseItem(
        reference=ref,
        initials="Z.Q.",
        child_name=CHILD,
        date_of_birth=BIRTH,
        address=ADDRESS,
        school=SCHOOL,
        household=HOUSEHOLD,
        aliases=("Zephy",),
        summary=(
            "Zephyrine's school reports missing episodes. ZEPHYRINE QUILLBOTTOM (DOB 03/07/2013) "
            "lives at 14 Marrowgate Lane with her father Barnaby and her mother Morwenna "
            f"Pettigrew. {UNKNOWN_RELATIVE} Quillbottom, an uncle, has been seen at the house."
        ),
        risk_level="High",
        decision=(
            "Strategy discussion for Zephyrine; Thistledown to share attendance. Born "
            "3rd July 2013, so now 11."
        ),
        agency_updates=(
            AgencyUpdate(
                "Fenmarsh Police",
                "Zephy was found in Ptolemy Fairweather-Oakes's car near ZZ9 9ZZ on 2013-07-03.",
            ),
            AgencyUpdate(SCHOOL, "Attendance at Thistledown Academy is 62%. Barnaby's view."),
            AgencyUpdate("Fenmarsh Police", PANEL_ONLY_MARKER, Sensitivity.PANEL_ONLY),
            AgencyUpdate(
                "Fenmarsh Children's Social Care",
                NOT_FOR_FAMILY_MARKER,
                Sensitivity.NOT_FOR_FAMILY,
            ),
        ),
        discussion=(
            "The panel noted the Quillbottom family's move from ZZ99ZZ in 2024. Mrs Pettigrew "
            "was not told of the referral. Date of birth 3 July 2013 confirmed."
        ),
        actions=(
            action(first_action, "Fenmarsh Police", reference=ref),
            action(
                first_action + 1,
                SCHOOL,
                reference=ref,
                text=f"ACT-{first_action + 1:04d} Thistledown to send Zephyrine's attendance",
            ),
            action(
                first_action + 2,
                "Fenmarsh Children's Social Care",
                reference=ref,
                text=f"ACT-{first_action + 2:04d} visit Morwenna at Marrowgate Lane",
            ),
        ),
    )


def peer_child(*, first_action=10):
    ref = "CE-2025-0031"
    return CaseItem(
        reference=ref,
        initials="P.F-O.",
        child_name=PEER,
        date_of_birth=PEER_BIRTH,
        address=PEER_ADDRESS,
        school=PEER_SCHOOL,
        household=("Ottoline Fairweather",),
        summary="Ptolemy (born 28/11/2011) is linked to Zephyrine; lives on Cobblestitch Road.",
        risk_level="Medium",
        decision="Keep under review; Wrenfield Priory School to share concerns.",
        agency_updates=(AgencyUpdate(PEER_SCHOOL, "Ptolemy attends Wrenfield most days."),),
        actions=tuple(
            action(first_action + n, AGENCIES[n % len(AGENCIES)], reference=ref) for n in range(4)
        ),
    )


def plain_child(n, *, first_action, actions=4):
    ref = f"CE-2025-{100 + n:04d}"
    return CaseItem(
        reference=ref,
        initials="A.B.",
        child_name=f"Child Number{n}",
        date_of_birth=date(2012, 1, 1) + timedelta(days=n),
        address=f"{n} Example Street, Fenmarsh",
        school="Fenmarsh High School",
        summary=f"Summary of case {n}. " * 6,
        risk_level="Low",
        decision="Close to panel.",
        actions=tuple(
            action(first_action + k, AGENCIES[k % len(AGENCIES)], reference=ref)
            for k in range(actions)
        ),
    )


def meeting(*, approved=False, extra_cases=6, version="2", items=None, carried=None):
    cases = (
        items
        if items is not None
        else (
            seeded_child(first_action=1),
            peer_child(first_action=10),
            *(plain_child(n, first_action=100 + 10 * n) for n in range(extra_cases)),
        )
    )
    return MeetingDoc(
        panel_name="Fenmarsh Exploitation and Missing Panel",
        meeting_date=MEETING_DAY,
        place="Fenmarsh Civic Centre, Room 4",
        chair="DI Rowan Ashdown",
        version=version,
        approved_on=APPROVED_DAY if approved else None,
        confidentiality_statement=STATEMENT,
        attendance=(
            Attendee("DI Rowan Ashdown", "Fenmarsh Police", AttendanceStatus.PRESENT),
            Attendee("Priya Nandakumar", "Eastbrook Health Trust", AttendanceStatus.APOLOGIES),
            Attendee(
                "Tom Verity",
                "Eastbrook Health Trust",
                AttendanceStatus.DEPUTY,
                deputy_for="Priya Nandakumar",
            ),
            Attendee("Sam Ilesworth", SCHOOL, AttendanceStatus.PRESENT),
            Attendee(
                "Jo Calder",
                "Fenmarsh Children's Social Care",
                AttendanceStatus.ARRIVED_LATE,
                note="from item 3",
            ),
            Attendee("Ade Okafor", "Fenmarsh Housing", AttendanceStatus.ABSENT),
        ),
        quorum_met=True,
        quorum_missing=(),
        items=cases,
        carried_forward=(
            carried
            if carried is not None
            else (
                action(
                    901,
                    "Fenmarsh Housing",
                    reference="CE-2025-0012",
                    overdue=6,
                    rag=Rag.RED,
                    text="ACT-0901 check Zephyrine's tenancy at Marrowgate Lane",
                ),
                action(902, "Fenmarsh Police", reference="CE-2024-0456", overdue=0),
            )
        ),
        next_meeting=date(2025, 3, 26),
    )


def action_log(count=120, *, generated_on=MEETING_DAY):
    rags = (Rag.RED, Rag.AMBER, Rag.GREEN)
    return ActionLogDoc(
        panel_name="Fenmarsh Exploitation and Missing Panel",
        generated_on=generated_on,
        actions=tuple(
            action(
                n,
                AGENCIES[n % len(AGENCIES)],
                reference=f"CE-2025-{n % 37:04d}",
                due=generated_on - timedelta(days=(n % 20) - 5),
                overdue=max(0, (n % 20) - 5),
                rag=rags[n % 3],
            )
            for n in range(1, count + 1)
        ),
    )


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text with runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def marking_heights(pdf: bytes, marking: str) -> list[tuple[float, list[float]]]:
    """For each page: its height, and the heights (points from the bottom) at which `marking`
    is drawn as a run of text of its own."""
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        heights: list[float] = []

        def visit(text, cm, tm, _font, _size, _heights=heights):
            if text.strip() == marking:
                _heights.append(cm[5] + tm[5])  # the y of the text matrix on the page

        page.extract_text(visitor_text=visit)
        out.append((float(page.mediabox.height), heights))
    return out


def squashed(text: str) -> str:
    """Text without any white space, case folded: a name broken over two lines still shows."""
    return re.sub(r"\s+", "", text).casefold()


@pytest.fixture
def draft_meeting():
    return meeting()


@pytest.fixture
def approved_meeting():
    return meeting(approved=True)
