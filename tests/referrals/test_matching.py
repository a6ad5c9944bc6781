"""Recognising a known child: a swapped day and month of birth (03/07 typed for 07/03) is a
common slip, suggested with a lower score than the same date; only children named on a
referral that has left draft are known."""

from datetime import date

import pytest

from referrals import intake, matching
from referrals.models import ChildMatch
from tests.referrals.conftest import child_details

pytestmark = pytest.mark.django_db

THIRD_OF_JULY = date(2012, 7, 3)
SEVENTH_OF_MARCH = date(2012, 3, 7)


def test_swapping_day_and_month_gives_the_other_valid_date():
    assert matching.swapped_day_and_month(THIRD_OF_JULY) == SEVENTH_OF_MARCH
    assert matching.swapped_day_and_month(SEVENTH_OF_MARCH) == THIRD_OF_JULY


def test_no_swap_when_the_day_cannot_be_a_month_or_the_swap_is_the_same_date():
    assert matching.swapped_day_and_month(date(2012, 6, 15)) is None
    assert matching.swapped_day_and_month(date(2012, 7, 7)) is None


def test_a_child_born_on_the_swapped_date_is_suggested_and_says_why(borough, make_submitted):
    known = make_submitted(child=child_details(date_of_birth=SEVENTH_OF_MARCH))
    slipped = make_submitted(child=child_details(date_of_birth=THIRD_OF_JULY))

    match = ChildMatch.objects.get(referral=slipped)

    assert match.candidate == known.child
    assert match.reasons == "Day and month of birth swapped; name 100% alike"


def test_a_swapped_date_scores_lower_than_the_same_date(borough, make_submitted):
    same_date = make_submitted(child=child_details(date_of_birth=THIRD_OF_JULY))
    swapped = make_submitted(child=child_details(date_of_birth=SEVENTH_OF_MARCH))

    candidates = matching.find_candidates(
        first_name="Ashlyn", last_name="Brackenridge", date_of_birth=THIRD_OF_JULY
    )

    assert [c.child for c in candidates] == [same_date.child, swapped.child]
    assert candidates[0].score == 1.0
    assert candidates[1].score < candidates[0].score
    assert candidates[0].reasons.startswith("Same date of birth")


def test_a_swapped_date_with_a_different_name_is_not_suggested(borough, make_submitted):
    make_submitted(child=child_details(date_of_birth=SEVENTH_OF_MARCH))
    other = make_submitted(
        child=child_details(first_name="Mercer", last_name="Quint", date_of_birth=THIRD_OF_JULY)
    )

    assert not ChildMatch.objects.filter(referral=other).exists()


def test_a_childs_own_date_is_not_tried_again_as_a_swap(borough, make_submitted):
    make_submitted(child=child_details(date_of_birth=date(2012, 7, 7)))
    again = make_submitted(child=child_details(date_of_birth=date(2012, 7, 7)))

    match = ChildMatch.objects.get(referral=again)

    assert match.reasons.startswith("Same date of birth")


def test_a_draft_child_born_on_the_swapped_date_is_not_suggested(borough, make_draft):
    draft = make_draft(child=child_details(date_of_birth=SEVENTH_OF_MARCH))

    candidates = matching.find_candidates(
        first_name="Ashlyn", last_name="Brackenridge", date_of_birth=THIRD_OF_JULY
    )

    assert draft.child not in [c.child for c in candidates]


def test_the_same_nhs_number_is_suggested_only_when_the_child_has_left_draft(borough, make_draft):
    draft = make_draft(child=child_details(nhs_number="9990001239"))
    before = matching.find_candidates(
        first_name="X", last_name="Y", date_of_birth=None, nhs_number="9990001239"
    )
    intake.referral_submit(actor=borough["referrer"], referral=draft)
    after = matching.find_candidates(
        first_name="X", last_name="Y", date_of_birth=None, nhs_number="9990001239"
    )

    assert before == []
    assert [c.child for c in after] == [draft.child]
