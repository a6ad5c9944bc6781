"""A child's record that others see changes only through child_update, which keeps each
change (old and new value, who, when, why, the referral it came from) and writes the audit
row; a confirmed match fills in what the record lacked through it; a draft's edits reach
only a child row of its own (copy-on-write)."""

from datetime import date

import pytest

from agencies.models import AuditAction, AuditEvent
from referrals import child_record, intake
from referrals.models import (
    Child,
    ChildMatch,
    ChildRecordChange,
    HouseholdMember,
    Referral,
)
from referrals.services import ReferralError
from tests.referrals.conftest import child_details, referral_details

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(make_submitted):
    """A child named on a submitted referral, whose school is not known yet."""
    return make_submitted(child=child_details(address="3 Heron Row", school=""))


def update(borough, known, **changes):
    return child_record.child_update(
        actor=borough["coordinator"],
        child=known.child,
        changes=changes,
        reason="The school confirmed where she is enrolled.",
        referral=known,
    )


def test_record_fields_are_the_details_a_referrer_gives():
    assert set(child_record.RECORD_FIELDS) == set(intake.CHILD_FIELDS)


def test_a_change_keeps_the_old_and_new_value_who_when_why_and_the_referral(borough, known):
    update(borough, known, school="Willowmere Academy", address="5 Sedge Row")

    changes = {c.field: c for c in ChildRecordChange.objects.filter(child=known.child)}
    known.child.refresh_from_db()
    assert (known.child.school, known.child.address) == ("Willowmere Academy", "5 Sedge Row")
    assert (changes["school"].old_value, changes["school"].new_value) == ("", "Willowmere Academy")
    assert (changes["address"].old_value, changes["address"].new_value) == (
        "3 Heron Row",
        "5 Sedge Row",
    )
    assert changes["school"].changed_by == borough["coordinator"]
    assert changes["school"].changed_at is not None
    assert changes["school"].reason == "The school confirmed where she is enrolled."
    assert changes["school"].referral == known


def test_a_change_writes_one_audit_row_naming_the_fields_but_not_their_values(borough, known):
    update(borough, known, school="Willowmere Academy", address="5 Sedge Row")

    event = AuditEvent.objects.get(action=AuditAction.CHANGED, object_type="referrals.child")
    assert event.child == known.child
    assert event.referral == known
    assert event.actor == borough["coordinator"]
    assert event.reason == "The school confirmed where she is enrolled."
    assert "school" in event.detail and "address" in event.detail
    assert "Willowmere" not in event.detail and "Sedge" not in event.detail


def test_a_date_is_kept_in_the_history_as_written(borough, known):
    update(borough, known, date_of_birth=date(2012, 6, 16))

    change = ChildRecordChange.objects.get(field="date_of_birth")
    assert (change.old_value, change.new_value) == ("2012-06-15", "2012-06-16")


def test_values_equal_to_the_record_write_nothing(borough, known):
    made = update(borough, known, address="3 Heron Row", school="")

    assert made == []
    assert not ChildRecordChange.objects.exists()
    assert not AuditEvent.objects.filter(object_type="referrals.child").exists()


def test_a_new_name_is_found_by_search(borough, known):
    update(borough, known, aliases=["Ash Bracken"])

    known.child.refresh_from_db()
    assert "ash bracken" in known.child.search_name


def test_a_reason_is_required(borough, known):
    with pytest.raises(ReferralError, match="reason"):
        child_record.child_update(
            actor=borough["coordinator"], child=known.child, changes={"school": "X"}, reason=" "
        )


def test_a_draft_never_changes_a_record_others_see(borough, known, make_draft):
    draft = make_draft()

    with pytest.raises(ReferralError, match="draft"):
        child_record.child_update(
            actor=borough["referrer"],
            child=known.child,
            changes={"school": "Draft School"},
            reason="Typed on my draft.",
            referral=draft,
        )
    with pytest.raises(ReferralError, match="draft"):
        child_record.child_update(
            actor=borough["coordinator"],
            child=draft.child,
            changes={"school": "Draft School"},
            reason="Only on a draft.",
        )
    assert not ChildRecordChange.objects.exists()


def test_only_fields_of_the_record_can_be_changed(borough, known):
    with pytest.raises(ValueError):
        update(borough, known, search_name="anything")


def test_the_history_cannot_be_edited_or_deleted(borough, known):
    update(borough, known, school="Willowmere Academy")

    with pytest.raises(PermissionError):
        ChildRecordChange.objects.update(new_value="Other")
    with pytest.raises(PermissionError):
        ChildRecordChange.objects.all().delete()


# --- A confirmed match ------------------------------------------------------------------------


def confirm(borough, referral) -> ChildMatch:
    match = ChildMatch.objects.get(referral=referral)
    return intake.child_match_decide(
        actor=borough["coordinator"], match=match, confirm=True, reason="Same school."
    )


def test_confirming_a_match_fills_in_what_the_record_lacked_with_its_history(
    borough, known, make_submitted
):
    second = make_submitted(
        actor=borough["other_referrer"],
        agency=borough["school"],
        child=child_details(address="9 Marsh Row", school="Willowmere Academy"),
    )
    own_record = second.child

    match = confirm(borough, second)

    known.child.refresh_from_db()
    assert known.child.school == "Willowmere Academy"
    assert known.child.address == "3 Heron Row"  # both gave one: the record keeps its own
    change = ChildRecordChange.objects.get(child=known.child, field="school")
    assert (change.referral, change.changed_by) == (second, borough["coordinator"])
    assert second.reference in change.reason
    assert match.referred_child == own_record
    own_record.refresh_from_db()
    assert (own_record.address, own_record.school) == ("9 Marsh Row", "Willowmere Academy")
    detail = AuditEvent.objects.filter(object_type="referrals.childmatch").last().detail
    assert "filled in: school" in detail and "address" in detail


def test_confirming_a_match_adds_the_referrals_spelling_as_an_alias(borough, known, make_submitted):
    second = make_submitted(child=child_details(first_name="Ashlynn"))

    confirm(borough, second)

    known.child.refresh_from_db()
    assert known.child.first_name == "Ashlyn"
    assert known.child.aliases == ["Ashlynn Brackenridge"]
    assert ChildRecordChange.objects.filter(child=known.child, field="aliases").exists()


def test_confirming_a_match_that_brings_nothing_new_changes_no_record(
    borough, known, make_submitted
):
    second = make_submitted(child=child_details(address="3 Heron Row", school=""))

    confirm(borough, second)

    assert not ChildRecordChange.objects.exists()


# --- A draft's own record ---------------------------------------------------------------------


def test_a_draft_with_a_record_of_its_own_is_edited_in_place(borough, make_draft):
    draft = make_draft()
    row = draft.child_id

    edited = intake.referral_draft_save(
        actor=borough["referrer"],
        agency=borough["police"],
        child=child_details(school="Alderbrook Primary School"),
        details=referral_details(),
        referral=draft,
    )

    assert edited.child_id == row
    assert Child.objects.count() == 1


def test_a_draft_on_a_shared_record_moves_to_a_copy_and_the_shared_record_is_unchanged(
    borough, known, make_draft
):
    draft = make_draft(child=child_details(address="3 Heron Row"))
    HouseholdMember.objects.create(
        child=draft.child, referral=draft, full_name="Marnie B", relationship="Mother"
    )
    Referral.objects.filter(pk=draft.pk).update(child=known.child)  # as older data may have it
    HouseholdMember.objects.filter(referral=draft).update(child=known.child)
    draft.refresh_from_db()

    edited = intake.referral_draft_save(
        actor=borough["referrer"],
        agency=borough["police"],
        child=child_details(address="8 Willow Row"),
        details=referral_details(),
        referral=draft,
    )

    known.child.refresh_from_db()
    assert known.child.address == "3 Heron Row"
    assert edited.child_id != known.child_id
    assert edited.child.address == "8 Willow Row"
    assert HouseholdMember.objects.get(referral=draft).child == edited.child
    assert not ChildRecordChange.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, child=edited.child, referral=draft
    ).exists()
