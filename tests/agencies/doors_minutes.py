"""Rows of the access matrix for the minutes pages, their PDFs and the board's papers.

In the world, panel P's chair runs its meeting (the coordinator holds no seat on P, so no
one in the world may edit P's minutes); member_p (agency B) is invited; `board` oversees
panel P. The meeting's minutes are approved as version 1, with the full minutes, the board
copy and agency B's extract.
"""

import hashlib
from datetime import date

from tests.agencies.matrix import everyone, only

ROOM = {"chair": 200, "member_p": 200}


def pdf(allowed: dict) -> dict:
    """A PDF is the same 404 for everyone it is not for, signed in or not."""
    return only(allowed) | {"anonymous": 404}


FOLLOWERS = ["chair", "member_p"]  # may see the minutes page, so get 403 where they may not act


def world_minutes(world):
    """Approved minutes of the world's meeting (version 1 and its PDFs), made directly."""
    from panels.models import (
        DocumentKind,
        Minutes,
        MinutesDocument,
        MinutesStatus,
        MinutesVersion,
        PanelOversight,
    )
    from panels.pdf import render_agency_extract, render_board_copy, render_minutes
    from panels.pdf.model import MeetingDoc
    from panels.pdf.serialize import meeting_doc_to_data

    minutes = Minutes.objects.filter(meeting=world.meeting).first()
    if minutes is not None:
        return minutes
    PanelOversight.objects.create(panel=world.meeting.panel, user=world.people["board"])
    doc = MeetingDoc(
        panel_name="Panel P",
        meeting_date=date(2026, 11, 2),
        place="Room 1",
        chair="Chair",
        version="1",
        approved_on=date(2026, 11, 3),
        confidentiality_statement="Confidential.",
        attendance=(),
        quorum_met=True,
        quorum_missing=(),
        items=(),
    )
    data = meeting_doc_to_data(doc)
    minutes = Minutes.objects.create(
        meeting=world.meeting,
        status=MinutesStatus.APPROVED,
        content=data,
        drafted_by=world.people["chair"],
    )
    version = MinutesVersion.objects.create(
        minutes=minutes,
        number=1,
        content=data,
        approved_by=world.people["chair"],
        approved_on=date(2026, 11, 3),
    )
    for kind, pdf, agency in (
        (DocumentKind.MINUTES, render_minutes(doc), None),
        (DocumentKind.BOARD_COPY, render_board_copy(doc), None),
        (DocumentKind.AGENCY_EXTRACT, render_agency_extract(doc, "Agency B Health"), "b"),
    ):
        MinutesDocument.objects.create(
            version=version,
            kind=kind,
            agency=world.agencies[agency] if agency else None,
            sha256=hashlib.sha256(pdf).hexdigest(),
            pdf=pdf,
            size=len(pdf),
            pages=1,
        )
    return minutes


def _minutes_path(world, tail=""):
    return f"/meetings/{world_minutes(world).meeting_id}/minutes/{tail}"


def _version(world):
    return world_minutes(world).versions.get().pk


MINUTES_DOORS = {
    "minutes:page": ("get", lambda w: _minutes_path(w), None, only(ROOM)),
    # The page's list of versions and documents, which its script asks for: the page's door.
    "minutes:documents": ("get", lambda w: _minutes_path(w, "documents/"), None, only(ROOM)),
    # Only a panel's coordinator drafts and edits; P has none in the world.
    "minutes:draft": (
        "post",
        lambda w: _minutes_path(w, "draft/"),
        {},
        only({}, knowers=FOLLOWERS),
    ),
    "minutes:edit-item": (
        "get",
        lambda w: _minutes_path(w, "cases/T-0001/"),
        None,
        only({}, knowers=FOLLOWERS),
    ),
    "minutes:submit": (
        "post",
        lambda w: _minutes_path(w, "submit/"),
        {},
        only({}, knowers=FOLLOWERS),
    ),
    "minutes:correct": (
        "post",
        lambda w: _minutes_path(w, "correct/"),
        {"reason": "A date was wrong."},
        only({}, knowers=FOLLOWERS),
    ),
    # The chair may approve or return; approved minutes are refused with a message (302).
    "minutes:approve": (
        "post",
        lambda w: _minutes_path(w, "approve/"),
        {"revision": "1"},
        only({"chair": 302}, knowers=["member_p"]),
    ),
    "minutes:return": (
        "post",
        lambda w: _minutes_path(w, "return/"),
        {"comments": "Please add the apologies."},
        only({"chair": 302}, knowers=["member_p"]),
    ),
    # Drafts are for the chair and coordinator only: a participant gets the 404 of nothing.
    "minutes:preview": (
        "get",
        lambda w: _minutes_path(w, "preview/minutes.pdf"),
        None,
        pdf({"chair": 200}),
    ),
    # The board copy: the chair and the board member overseeing the panel.
    "minutes:download": (
        "get",
        lambda w: f"/minutes/{_version(w)}/board.pdf",
        None,
        pdf({"chair": 200, "board": 200}),
    ),
    # Agency B's extract: the chair, and member_p, who was invited and acts for agency B.
    "minutes:download-extract": (
        "get",
        lambda w: f"/minutes/{_version(w)}/agency/{w.agencies['b'].pk}.pdf",
        None,
        pdf(ROOM),
    ),
    "minutes:action-log": (
        "get",
        lambda w: f"/panels/{w.meeting.panel_id}/action-log.pdf",
        None,
        pdf(ROOM),
    ),
    "minutes:board-papers": ("get", lambda w: "/board/", None, everyone(200)),
    # Each document's web page ("twin") answers exactly as its PDF above.
    "documents:twin-preview": (
        "get",
        lambda w: _minutes_path(w, "preview/minutes.html"),
        None,
        pdf({"chair": 200}),
    ),
    "documents:twin": (
        "get",
        lambda w: f"/meetings/{world_minutes(w).meeting_id}/minutes/v1/board.html",
        None,
        pdf({"chair": 200, "board": 200}),
    ),
    "documents:twin-extract": (
        "get",
        lambda w: (
            f"/meetings/{world_minutes(w).meeting_id}/minutes/v1/agency/{w.agencies['b'].pk}.html"
        ),
        None,
        pdf(ROOM),
    ),
    "documents:twin-action-log": (
        "get",
        lambda w: f"/panels/{w.meeting.panel_id}/action-log.html",
        None,
        pdf(ROOM),
    ),
}
