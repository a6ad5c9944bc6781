"""A MeetingDoc as JSON data (a minutes draft in a JSONField) and back, exactly."""

import copy
import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from panels.pdf import board_copy
from panels.pdf.model import (
    ActionDoc,
    AgencyUpdate,
    AttendanceStatus,
    Attendee,
    CaseItem,
    MeetingDoc,
    Rag,
    Sensitivity,
)
from panels.pdf.serialize import meeting_doc_from_data, meeting_doc_to_data

from .conftest import APPROVED_DAY, meeting


def rich_doc() -> MeetingDoc:
    """The test meeting, with every enum value, None dates and empty optional parts."""
    doc = meeting(approved=True, extra_cases=2)
    undated = CaseItem(
        reference="CE-2025-0999",
        initials="",
        child_name="",
        date_of_birth=None,
        address="",
        school="",
        summary="Line one\nline two & <b>three</b> \u2014 \u00e9\u00e8 \U0001f600",
        risk_level="Not agreed",
        decision="",
        agency_updates=tuple(
            AgencyUpdate("Fenmarsh Police", f"{s.value} text", s) for s in Sensitivity
        ),
        actions=tuple(
            ActionDoc(
                text=f"{rag.value} action",
                owner_agency="Fenmarsh Housing",
                owner="",
                due=date(2025, 4, 1),
                status="In progress",
                days_overdue=3,
                rag=rag,
            )
            for rag in Rag
        ),
    )
    attendance = tuple(
        Attendee(f"Person {n}", "Fenmarsh Police", status, deputy_for="X", note="n")
        for n, status in enumerate(AttendanceStatus)
    )
    return replace(
        doc,
        items=(*doc.items, undated),
        attendance=attendance,
        quorum_met=False,
        quorum_missing=("Health", "Education"),
        next_meeting=None,
    )


def test_a_rich_document_survives_the_round_trip_through_json():
    doc = rich_doc()

    data = meeting_doc_to_data(doc)
    stored = json.loads(json.dumps(data))  # what a JSONField gives back

    assert stored == data
    assert meeting_doc_from_data(stored) == doc


def test_enums_come_back_as_enum_members_the_renderers_compare_by_identity():
    back = meeting_doc_from_data(json.loads(json.dumps(meeting_doc_to_data(rich_doc()))))

    updates = back.items[-1].agency_updates
    assert [u.sensitivity for u in updates] == list(Sensitivity)
    assert all(type(u.sensitivity) is Sensitivity for u in updates)
    assert [a.status for a in back.attendance] == list(AttendanceStatus)
    assert [a.rag for a in back.items[-1].actions] == list(Rag)
    assert isinstance(back.items[0].household, tuple)


def test_the_board_copy_flag_and_redaction_flags_round_trip():
    board, flags = board_copy(meeting())
    assert board.is_board_copy and flags

    data = meeting_doc_to_data(board)

    assert data["is_board_copy"] is True
    assert meeting_doc_from_data(data) == board


def test_a_draft_stored_before_the_document_address_existed_still_loads():
    data = meeting_doc_to_data(rich_doc())
    del data["document_address"]

    assert meeting_doc_from_data(data).document_address == ""


def test_a_draft_stored_before_thematic_items_existed_loads_with_none():
    data = meeting_doc_to_data(rich_doc())
    del data["themes"]

    assert meeting_doc_from_data(data).themes == ()


def test_the_data_is_plain_and_in_a_stable_order():
    doc = rich_doc()
    data = meeting_doc_to_data(doc)

    assert list(data) == [
        "panel_name",
        "meeting_date",
        "place",
        "chair",
        "version",
        "approved_on",
        "confidentiality_statement",
        "attendance",
        "quorum_met",
        "quorum_missing",
        "items",
        "carried_forward",
        "other_actions",
        "next_meeting",
        "themes",
        "is_board_copy",
        "document_address",
    ]
    assert data["meeting_date"] == "2025-03-12"
    assert data["approved_on"] == APPROVED_DAY.isoformat()
    assert data["next_meeting"] is None
    assert data["items"][-1]["date_of_birth"] is None
    assert data["items"][-1]["agency_updates"][2] == {
        "agency": "Fenmarsh Police",
        "text": "panel_only text",
        "sensitivity": "panel_only",
    }
    assert list(data["items"][0]["actions"][0]) == [
        "text",
        "owner_agency",
        "owner",
        "due",
        "status",
        "days_overdue",
        "rag",
        "case_reference",
        "raised_on",
    ]
    assert json.dumps(data) == json.dumps(meeting_doc_to_data(doc))


def test_a_draft_without_approval_or_next_meeting_round_trips():
    doc = replace(meeting(extra_cases=0), next_meeting=None, carried_forward=(), items=())
    assert meeting_doc_from_data(meeting_doc_to_data(doc)) == doc


def good_data() -> dict:
    return meeting_doc_to_data(rich_doc())


def with_change(change) -> dict:
    data = copy.deepcopy(good_data())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("panel_name"), r"the document: missing key\(s\) panel_name"),
        (lambda d: d.pop("is_board_copy"), r"missing key\(s\) is_board_copy"),
        (lambda d: d.update(colour="red"), r"unknown key\(s\) colour"),
        (lambda d: d.update(meeting_date="12/03/2025"), r"meeting_date: expected a date"),
        (lambda d: d.update(meeting_date="2025-02-30"), r"meeting_date: '2025-02-30' is not"),
        (lambda d: d.update(meeting_date=None), r"meeting_date: expected a date"),
        (lambda d: d.update(approved_on=20250319), r"approved_on: expected a date"),
        (lambda d: d.update(quorum_met="yes"), r"quorum_met: expected bool"),
        (lambda d: d.update(quorum_missing="Health"), r"quorum_missing: expected a list"),
        (lambda d: d.update(quorum_missing=[1]), r"quorum_missing\[0\]: expected str"),
        (lambda d: d.update(version=2), r"version: expected str, got int"),
        (lambda d: d.update(items={}), r"items: expected a list"),
        (lambda d: d["items"].append("CE-1"), r"items\[\d+\]: expected an object"),
        (lambda d: d["items"][0].pop("reference"), r"items\[0\]: missing key\(s\) reference"),
        (
            lambda d: d["items"][1]["agency_updates"][0].update(sensitivity="secret"),
            r"items\[1\]\.agency_updates\[0\]\.sensitivity: 'secret' is not one of",
        ),
        (
            lambda d: d["items"][0]["actions"][0].update(days_overdue=True),
            r"items\[0\]\.actions\[0\]\.days_overdue: expected int, got bool",
        ),
        (
            lambda d: d["items"][0]["actions"][0].update(days_overdue="3"),
            r"days_overdue: expected int, got str",
        ),
        (lambda d: d["items"][0]["actions"][0].update(rag=None), r"rag: expected one of"),
        (lambda d: d["attendance"][0].update(status="late"), r"attendance\[0\]\.status"),
        (lambda d: d["carried_forward"][0].update(due=""), r"carried_forward\[0\]\.due"),
    ],
)
def test_bad_data_is_refused_with_where_and_what(change, message):
    with pytest.raises(ValueError, match=message):
        meeting_doc_from_data(with_change(change))


@pytest.mark.parametrize("data", [None, [], "minutes", 3])
def test_data_that_is_not_an_object_is_refused(data):
    with pytest.raises(ValueError, match="the document: expected an object"):
        meeting_doc_from_data(data)


def test_a_document_with_a_wrong_type_is_refused_when_stored():
    doc = meeting(extra_cases=0)
    with pytest.raises(ValueError, match="meeting_date: expected a date, got datetime"):
        meeting_doc_to_data(replace(doc, meeting_date=datetime(2025, 3, 12, 10)))
    with pytest.raises(ValueError, match=r"attendance\[0\]\.status: 'late' is not one of"):
        meeting_doc_to_data(replace(doc, attendance=(Attendee("A", "B", "late"),)))
    with pytest.raises(ValueError, match="expected a MeetingDoc"):
        meeting_doc_to_data({"panel_name": "x"})
