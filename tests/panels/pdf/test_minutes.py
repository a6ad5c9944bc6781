"""The full minutes, read back from the PDF with pypdf."""

import io
import re

from pypdf import PdfReader
from reportlab.lib.units import mm

from panels.pdf import render_minutes
from panels.pdf.layout import MARKING

from .conftest import (
    CHILD,
    NOT_FOR_FAMILY_MARKER,
    PANEL_ONLY_MARKER,
    STATEMENT,
    marking_heights,
    meeting,
    page_texts,
    plain_child,
)


def all_text(pages):
    return " ".join(pages)


def test_every_page_is_marked_in_its_header_and_footer(draft_meeting):
    pages = marking_heights(render_minutes(draft_meeting), MARKING)
    assert len(pages) > 1
    for page_height, heights in pages:
        assert any(y > page_height - 15 * mm for y in heights), "no marking in the header"
        assert any(y < 15 * mm for y in heights), "no marking in the footer"


def test_every_page_says_page_n_of_m(draft_meeting):
    pages = page_texts(render_minutes(draft_meeting))
    for number, text in enumerate(pages, start=1):
        assert re.findall(r"Page \d+ of \d+", text) == [f"Page {number} of {len(pages)}"]


def test_every_action_of_every_item_and_every_carried_forward_action_is_printed(draft_meeting):
    text = all_text(page_texts(render_minutes(draft_meeting)))
    actions = [a for item in draft_meeting.items for a in item.actions]
    actions += draft_meeting.carried_forward
    assert len(actions) > 30
    for action in actions:
        assert action.text.split()[0] in text
        assert action.owner in text
    assert "ACT-0901 check Zephyrine's tenancy at Marrowgate Lane" in text


def test_a_40_case_meeting_prints_all_of_its_300_actions():
    items = tuple(
        plain_child(n, first_action=1000 + 10 * n, actions=8 if n < 20 else 7) for n in range(40)
    )
    doc = meeting(items=items)
    codes = [action.text.split()[0] for item in items for action in item.actions]
    assert len(set(codes)) == 300
    pages = page_texts(render_minutes(doc))
    printed = re.findall(r"ACT-\d{4}", all_text(pages))
    assert sorted(printed) == sorted(codes + ["ACT-0901", "ACT-0902"])
    assert len(pages) > 10
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))


def test_the_minutes_carry_what_the_meeting_recorded(draft_meeting):
    text = all_text(page_texts(render_minutes(draft_meeting)))
    assert "Fenmarsh Exploitation and Missing Panel" in text
    assert "12 March 2025" in text
    assert "Fenmarsh Civic Centre, Room 4" in text
    assert "DI Rowan Ashdown" in text
    assert " ".join(STATEMENT.split()) in text
    for label in ("Present", "Apologies", "Absent", "Deputy for Priya Nandakumar"):
        assert label in text
    assert "Arrived late (from item 3)" in text
    assert "Quorum: met." in text
    assert CHILD in text
    assert "03/07/2013" in text
    assert "14 Marrowgate Lane, Fenmarsh, ZZ9 9ZZ" in text
    assert "Thistledown Academy" in text
    assert "Barnaby Quillbottom, Morwenna Pettigrew" in text
    assert "Risk level agreed High" in text
    assert "Strategy discussion for Zephyrine" in text
    assert "Date of next meeting 26 March 2025" in text


def test_panel_only_and_not_for_family_updates_are_in_the_full_minutes_and_labelled(
    draft_meeting,
):
    text = all_text(page_texts(render_minutes(draft_meeting)))
    assert f"Fenmarsh Police [Panel only]: {PANEL_ONLY_MARKER}" in text
    assert f"[Not for family]: {NOT_FOR_FAMILY_MARKER}" in text


def test_quorum_not_met_names_the_missing_agency_types():
    from dataclasses import replace

    doc = replace(meeting(), quorum_met=False, quorum_missing=("Health", "Education"))
    text = all_text(page_texts(render_minutes(doc)))
    assert "Quorum: not met. Missing: Health, Education." in text


def test_a_draft_says_draft_on_every_page_and_an_approved_version_nowhere(
    draft_meeting, approved_meeting
):
    draft_pages = page_texts(render_minutes(draft_meeting))
    for text in draft_pages:
        assert text.count("DRAFT") >= 2  # the watermark and the footer
        assert "version 2, DRAFT" in text
    for text in page_texts(render_minutes(approved_meeting)):
        assert "DRAFT" not in text
        assert "version 2, approved 19 March 2025" in text


def test_the_version_and_approval_are_stated_in_the_body(approved_meeting):
    text = all_text(page_texts(render_minutes(approved_meeting)))
    assert "Approved by the chair on 19 March 2025" in text
    assert "Version 2, approved by the chair on 19 March 2025." in text


def test_the_file_is_titled_and_dated_by_the_meeting_not_the_clock(approved_meeting, draft_meeting):
    reader = PdfReader(io.BytesIO(render_minutes(approved_meeting)))
    assert (
        reader.metadata.title == "Minutes: Fenmarsh Exploitation and Missing Panel, 12 March 2025"
    )
    assert reader.metadata.creation_date.date().isoformat() == "2025-03-19"
    draft = PdfReader(io.BytesIO(render_minutes(draft_meeting)))
    assert draft.metadata.creation_date.date().isoformat() == "2025-03-12"


def test_a_meeting_with_no_items_no_attendance_and_no_next_date_still_renders():
    from dataclasses import replace

    doc = replace(meeting(items=(), carried=()), attendance=(), next_meeting=None)
    text = all_text(page_texts(render_minutes(doc)))
    assert "No children were discussed." in text
    assert "No open actions were carried forward." in text
    assert "To be arranged." in text
