"""An agency's extract: its own actions from the meeting, and no one else's."""

from panels.pdf import render_agency_extract
from panels.pdf.layout import MARKING

from .conftest import AGENCIES, SCHOOL, meeting, page_texts


def action_codes(text):
    return {word for word in text.split() if word.startswith("ACT-")}


def test_the_extract_holds_exactly_that_agencys_actions(draft_meeting):
    for agency in AGENCIES:
        text = " ".join(page_texts(render_agency_extract(draft_meeting, agency)))
        ours = [a for item in draft_meeting.items for a in item.actions if a.owner_agency == agency]
        ours += [a for a in draft_meeting.carried_forward if a.owner_agency == agency]
        assert ours, agency
        assert action_codes(text) == {a.text.split()[0] for a in ours}, agency


def test_the_extract_is_marked_numbered_and_titled_on_every_page():
    doc = meeting(extra_cases=40)
    pages = page_texts(render_agency_extract(doc, "Fenmarsh Police"))
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        assert text.count(MARKING) >= 2
        assert f"Page {number} of {len(pages)}" in text
        assert "Actions for Fenmarsh Police" in text
        assert "DRAFT" in text


def test_the_extract_names_each_case_by_reference_and_initials(draft_meeting):
    text = " ".join(page_texts(render_agency_extract(draft_meeting, SCHOOL)))
    assert "CE-2025-0012 (Z.Q.)" in text
    assert "Zephyrine Quillbottom" not in text


def test_agency_names_match_whatever_the_case_and_spacing(draft_meeting):
    text = " ".join(page_texts(render_agency_extract(draft_meeting, "  fenmarsh   POLICE ")))
    assert "ACT-0001" in text


def test_an_agency_with_no_actions_gets_an_extract_that_says_so(draft_meeting):
    text = " ".join(page_texts(render_agency_extract(draft_meeting, "Fenmarsh Probation")))
    assert "No actions for Fenmarsh Probation were agreed at this meeting." in text
    assert "No open actions of Fenmarsh Probation were carried forward." in text
    assert not action_codes(text)
