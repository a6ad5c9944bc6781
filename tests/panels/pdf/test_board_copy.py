"""The board's copy: read back from the PDF, none of the children's or families' details."""

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from panels.pdf import board_copy, render_board_copy, render_minutes
from panels.pdf.layout import MARKING
from panels.pdf.model import AgencyUpdate, CaseItem, Sensitivity

from .conftest import (
    IDENTIFYING,
    NOT_FOR_FAMILY_MARKER,
    PANEL_ONLY_MARKER,
    UNKNOWN_RELATIVE,
    meeting,
    page_texts,
    squashed,
)


@pytest.fixture
def board_pages():
    return page_texts(render_board_copy(meeting(approved=True)))


def test_the_seeded_details_are_really_in_the_full_minutes():
    """Otherwise the board copy test below would pass for the wrong reason."""
    text = squashed(" ".join(page_texts(render_minutes(meeting(approved=True)))))
    for secret in IDENTIFYING:
        assert squashed(secret) in text, secret


@pytest.mark.parametrize("secret", IDENTIFYING)
def test_the_board_copy_contains_no_name_birth_date_address_or_school(board_pages, secret):
    text = squashed(" ".join(board_pages))
    assert squashed(secret) not in text


def test_the_board_copy_metadata_names_no_child():
    reader = PdfReader(io.BytesIO(render_board_copy(meeting(approved=True))))
    metadata = " ".join(str(value) for value in reader.metadata.values())
    for secret in IDENTIFYING:
        assert squashed(secret) not in squashed(metadata)


def test_panel_only_and_not_for_family_contributions_are_left_out(board_pages):
    text = " ".join(board_pages)
    assert "PANELONLYMARKER7731" not in text
    assert "NOTFORFAMILYMARKER4402" not in text
    assert "Panel only]" not in text


def test_each_child_is_identified_by_reference_and_initials(board_pages):
    text = " ".join(board_pages)
    assert "3.1 CE-2025-0012 (Z.Q.)" in text
    assert "3.2 CE-2025-0031 (P.F-O.)" in text
    assert "Initials Z.Q." in text


def test_names_in_free_text_become_initials_or_family_member(board_pages):
    text = " ".join(board_pages)
    assert "Z.Q.'s school reports missing episodes" in text
    assert "with her father [family member] and her mother [family member]" in text
    assert "Z.Q. was found in P.F-O.'s car near [postcode]" in text
    assert "[school]: Attendance at [school] is 62%." in text


def test_the_board_copy_keeps_the_marking_page_numbers_and_approval(board_pages):
    for number, text in enumerate(board_pages, start=1):
        assert text.count(MARKING) >= 2
        assert f"Page {number} of {len(board_pages)}" in text
        assert "Board copy of minutes" in text
        assert "approved 19 March 2025" in text


def test_an_unknown_name_next_to_the_family_name_is_removed_and_flagged():
    board, flags = board_copy(meeting())
    assert UNKNOWN_RELATIVE not in board.items[0].summary
    assert any(UNKNOWN_RELATIVE in flag and "CE-2025-0012" in flag for flag in flags)
    assert flags == [f for item in board.items for f in item.redaction_flags]


def test_the_board_view_model_keeps_no_identifying_field():
    board, _ = board_copy(meeting())
    assert board.is_board_copy
    for item in board.items:
        assert (item.child_name, item.date_of_birth, item.address, item.school) == (
            "",
            None,
            "",
            "",
        )
        assert item.household == () and item.aliases == ()
        assert all(u.sensitivity is Sensitivity.NORMAL for u in item.agency_updates)


def test_rendering_an_unredacted_doc_as_a_board_copy_redacts_it_first():
    """render_board_copy never trusts its input to be redacted already."""
    text = squashed(" ".join(page_texts(render_board_copy(meeting()))))
    assert "zephyrine" not in text
    assert "PANELONLYMARKER7731".casefold() not in text


# --- The redaction rules, one by one --------------------------------------------------------


def redact(text, **child):
    item = CaseItem(
        reference="CE-1",
        initials="K.B.",
        child_name=child.pop("name", "Kai Brennagh"),
        date_of_birth=child.pop("dob", date(2012, 5, 9)),
        address=child.pop("address", "7 Quenby Row, Fenmarsh, ZZ3 1AB"),
        school=child.pop("school", "Saint Ealdred's Primary School"),
        household=child.pop("household", ("Ines Brennagh", "Dorrit Vasquez-Lowe")),
        aliases=child.pop("aliases", ()),
        summary=text,
        risk_level="",
        decision="",
    )
    board, flags = board_copy(replace(meeting(items=(item,), carried=()), attendance=()))
    return board.items[0].summary, flags


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("Kai's phone", "K.B.'s phone"),
        ("Kai’s phone", "K.B.’s phone"),
        ("KAI BRENNAGH", "K.B."),
        ("kai  brennagh", "K.B."),
        ("Kai\nBrennagh", "K.B."),
        ("Brennagh family", "[family name] family"),
        ("Ines said", "[family member] said"),
        ("Ines Brennagh said", "[family member] said"),
        ("Dorrit Vasquez Lowe", "[family member]"),
        ("Ms Vasquez-Lowe", "Ms [family member]"),
        ("Lowe's flat", "[family member]'s flat"),
        ("Kaitlyn is not Kai", "Kaitlyn is not K.B."),
    ],
)
def test_known_names_are_replaced_in_any_form(typed, printed):
    assert redact(typed)[0] == printed


def test_a_name_written_with_an_accent_is_still_found():
    assert redact("Zoë and Zoe came", name="Zoe Brennagh")[0] == "K.B. and K.B. came"
    assert redact("Siobhan came", name="Siobhán Brennagh")[0] == "K.B. came"


def test_a_name_that_is_a_common_word_is_only_replaced_with_a_capital():
    text, _ = redact("Will said he will attend", name="Will Brennagh")
    assert text == "K.B. said he will attend"


@pytest.mark.parametrize(
    "typed",
    [
        "09/05/2012",
        "9/5/12",
        "09.05.2012",
        "2012-05-09",
        "9 May 2012",
        "9th of May 2012",
        "May 9th, 2012",
    ],
)
def test_the_date_of_birth_is_removed_in_any_common_form(typed):
    text, _ = redact(f"seen, dob {typed}; and again {typed}.")
    assert text == "seen, dob [date of birth]; and again [date of birth]."


def test_any_date_after_dob_or_born_is_taken_for_a_date_of_birth():
    text, _ = redact("Her sister (born 14/02/2016) and DOB: 1 June 2010.")
    assert text == "Her sister (born [date of birth]) and DOB: [date of birth]."


def test_an_old_date_that_could_be_a_birth_date_is_flagged_not_removed():
    text, flags = redact("Seen on 01/03/2025 and on 12/02/2019.")
    assert text == "Seen on 01/03/2025 and on 12/02/2019."
    assert len(flags) == 1 and "12/02/2019" in flags[0]


def test_addresses_postcodes_and_schools_are_removed():
    text, _ = redact(
        "Moved from 7 Quenby Row (zz31ab) to 22 Orchard Close, ZZ4 5CD; Quenby is near "
        "Saint Ealdred's Primary School, which Ealdred's staff say Kai left for Oakfield Academy."
    )
    for gone in ("Quenby", "zz31ab", "Orchard", "ZZ4 5CD", "Ealdred", "Oakfield"):
        assert gone not in text
    assert "[address]" in text and "[postcode]" in text and "[school]" in text


def test_the_childs_school_is_not_named_as_an_agency():
    board, _ = board_copy(meeting())
    assert board.items[0].agency_updates[1].agency == "[school]"
    assert "[school]" in {person.agency for person in board.attendance}
    assert "Fenmarsh Police" in {person.agency for person in board.attendance}


def test_phone_numbers_are_removed_and_flagged_emails_nhs_numbers_and_upns_removed():
    text, flags = redact(
        "Call 07700 900123 or +44 20 7946 0958, mail k.b@example.org, NHS 943 476 5919, "
        "UPN A123456789012."
    )
    assert text == "Call [phone] or [phone], mail [email], NHS [NHS number], UPN [UPN]."
    assert sum("phone number" in flag for flag in flags) == 2


def test_names_after_a_relation_or_a_nickname_cue_are_removed_and_flagged():
    text, flags = redact("Her brother Jaxon and a friend known as Bluey.")
    assert text == "Her brother [name] and a friend known as [name]."
    assert any("Jaxon" in flag for flag in flags) and any("Bluey" in flag for flag in flags)


def test_a_title_and_an_unknown_surname_is_kept_but_flagged():
    text, flags = redact("Mrs Hargreave rang.")
    assert text == "Mrs Hargreave rang."
    assert any("Mrs Hargreave" in flag for flag in flags)


def test_a_name_hidden_inside_another_word_is_flagged():
    text, flags = redact("The Brennaghs' car.")
    assert any("brennagh" in flag for flag in flags)


def test_a_childs_name_is_redacted_in_every_other_childs_item_too():
    board, _ = board_copy(meeting())
    peer_item = board.items[1]
    assert "Zephyrine" not in peer_item.summary
    assert "Z.Q." in peer_item.summary


def test_the_words_of_an_agency_name_are_kept_when_a_school_shares_them():
    """'Fenmarsh High School' is a child's school, but Fenmarsh Police is still Fenmarsh."""
    board, _ = board_copy(meeting())
    assert board.place == "Fenmarsh Civic Centre, Room 4"


def test_agency_updates_marked_normal_are_kept_and_others_dropped():
    item = replace(
        meeting().items[0],
        agency_updates=(
            AgencyUpdate("Fenmarsh Police", "kept"),
            AgencyUpdate("Fenmarsh Police", "dropped 1", Sensitivity.PANEL_ONLY),
            AgencyUpdate("Fenmarsh Police", "dropped 2", Sensitivity.NOT_FOR_FAMILY),
        ),
    )
    board, _ = board_copy(meeting(items=(item,)))
    assert [u.text for u in board.items[0].agency_updates] == ["kept"]


def test_redaction_does_not_change_the_full_view_model():
    doc = meeting()
    board_copy(doc)
    assert doc.items[0].child_name == "Zephyrine Quillbottom"
    assert doc.items[0].agency_updates[2].text == PANEL_ONLY_MARKER
    assert NOT_FOR_FAMILY_MARKER in {u.text for u in doc.items[0].agency_updates}
