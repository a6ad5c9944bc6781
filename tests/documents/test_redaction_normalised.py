"""The board copy's redaction reads text normalised (NFKC, nothing invisible, look-alike
letters folded, letters joined across separators) and prints the text as typed around what
it removed."""

from dataclasses import replace
from datetime import date

import pytest

from panels.pdf.model import (
    AgencyUpdate,
    AttendanceStatus,
    Attendee,
    CaseItem,
    MeetingDoc,
)
from panels.pdf.normalise import normalise, skeleton
from panels.pdf.redaction import board_copy, flag_key
from tests.documents.spellings import CHILD, SPELLINGS, leaks

MEETING_DAY = date(2025, 3, 12)


def case(**changes) -> CaseItem:
    item = CaseItem(
        reference="CE-2025-0040",
        initials="K.T.",
        child_name=CHILD,
        date_of_birth=date(2013, 7, 3),
        address="14 Orchard Row, Fenmarsh FM2 7QT",
        school="",
        summary="",
        risk_level="High",
        decision="",
        household=("Dorota Thornbury",),
    )
    return replace(item, **changes)


def meeting(*items: CaseItem) -> MeetingDoc:
    return MeetingDoc(
        panel_name="Fenmarsh Exploitation Panel",
        meeting_date=MEETING_DAY,
        place="Fenmarsh Civic Centre",
        chair="Chair Person",
        version="1",
        approved_on=None,
        confidentiality_statement="Confidential.",
        attendance=(Attendee("Pat Officer", "Fenmarsh Police", AttendanceStatus.PRESENT),),
        quorum_met=True,
        quorum_missing=(),
        items=items or (case(),),
    )


def board_summary(text: str) -> tuple[str, list[str]]:
    board, flags = board_copy(meeting(case(summary=text)))
    return board.items[0].summary, flags


@pytest.mark.parametrize("spelling", SPELLINGS, ids=[ascii(s) for s in SPELLINGS])
def test_each_spelling_of_the_childs_name_is_removed_or_flagged(spelling):
    summary, flags = board_summary(f"Seen with {spelling} near the park.")

    assert not leaks(summary) or flags, (spelling, summary)
    assert not leaks(summary), (spelling, summary)


def test_what_is_kept_is_printed_as_typed_around_a_disguised_name():
    typed = "Ольга said \u041aai was with Zoë\u00a0Smith; Thorn\u00adbury’s bag — ﬁne."

    summary, _flags = board_summary(typed)

    assert summary == "Ольга said K.T. was with Zoë\u00a0Smith; [family name]’s bag — ﬁne."


def test_a_cyrillic_word_that_is_not_a_name_is_kept_whole():
    summary, _flags = board_summary("Mum speaks Русский at home; Kai translates.")

    assert summary == "Mum speaks Русский at home; K.T. translates."


def test_letters_are_not_joined_across_ordinary_words():
    """'is a' is never read as the name 'Isa'."""
    board, _flags = board_copy(
        meeting(case(child_name="Isa Thornbury", initials="I.T.", summary="This is a worry."))
    )

    assert board.items[0].summary == "This is a worry."


def test_a_name_inside_letter_spacing_goes_whole_and_is_flagged():
    summary, flags = board_summary("Notes: T h o r n b u r y s k i t.")

    assert "t h o r n" not in summary.casefold()
    assert leaks(summary) == []
    assert any("contains a known name" in flag for flag in flags)


def test_a_word_mixing_scripts_that_matches_no_name_is_flagged():
    summary, flags = board_summary("Pupil J\u0430xon was there.")  # Cyrillic а

    assert "J\u0430xon" in summary
    assert any("mixes Latin letters" in flag and "J\u0430xon" in flag for flag in flags)


def test_an_invisible_character_inside_an_unknown_word_is_flagged():
    summary, flags = board_summary("Pupil Ja\u200bxon was there.")

    assert any("print nothing inside it" in flag and "Jaxon" in flag for flag in flags)


def test_a_town_before_a_postcode_without_a_comma_is_not_an_address_word():
    """docs/documents.md: towns and counties in an address are not redacted."""
    summary, _flags = board_summary("Fenmarsh Police attended 14 Orchard Row on Tuesday.")

    assert summary == "Fenmarsh Police attended [address] on Tuesday."


def test_a_town_after_the_street_without_any_comma_is_not_an_address_word():
    board, _flags = board_copy(
        meeting(
            case(
                address="14 Orchard Row Fenmarsh FM2 7QT",
                summary="Fenmarsh Police went to Orchard Row; FM27QT.",
            )
        )
    )

    assert board.items[0].summary == "Fenmarsh Police went to [address]; [postcode]."


def test_updates_and_actions_are_redacted_the_same_way():
    board, _flags = board_copy(
        meeting(
            case(
                agency_updates=(AgencyUpdate("Fenmarsh Police", "K a i seen."),),
                discussion="K-a-i and Thorn\u200bbury.",
            )
        )
    )

    assert board.items[0].agency_updates[0].text == "K.T. seen."
    assert board.items[0].discussion == "K.T. and [family name]."


def test_normalise_maps_each_character_back_to_the_text_as_typed():
    typed = "Ｋa\u200bi\u0301"
    norm = normalise(typed)

    assert norm.text == "Kai"
    assert norm.original_span(0, 3) == (0, len(typed))
    assert norm.original_span(1, 2) == (1, 2)
    assert skeleton("Łódź Ørsted") == "Lodz Orsted"


def test_flag_keys_name_each_flag():
    assert flag_key("a") != flag_key("b")
    assert flag_key("a") == flag_key("a")
