"""The referral list: filters, sorting, pages and counts, only ever over what the person may
see; the auditor's is a review queue."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from agencies import audit
from referrals import list_paging
from referrals.models import Referral, ReferralState


def references(response) -> list[str]:
    return [referral.reference for referral in response.context["referrals"]]


def test_the_list_shows_child_initials_beside_the_reference_and_counts_in_the_heading(
    client, borough, make_referral
):
    referral = make_referral(first_name="Zara", last_name="Quill")
    client.force_login(borough["referrer"])

    response = client.get(reverse("referrals:list"))

    assert references(response) == [referral.reference]
    assert b'data-testid="child-initials"><span class="govuk-visually-hidden">child </span>ZQ' in (
        response.content
    )
    assert b'data-testid="list-count">(1)' in response.content


def test_filters_narrow_by_state_category_and_made_by_me(client, borough, make_referral):
    open_missing = make_referral(categories=["missing"])
    make_referral(categories=["cse"])
    make_referral(state=ReferralState.CLOSED, categories=["missing"])
    make_referral(referrer=borough["police_lead"], categories=["neglect"])
    client.force_login(borough["police_lead"])

    response = client.get(
        reverse("referrals:list"),
        {"state": "open", "category": "missing", "made_by_me": ""},
    )
    assert references(response) == [open_missing.reference]

    mine = client.get(reverse("referrals:list"), {"made_by_me": "on"})
    assert len(references(mine)) == 1


def test_choosing_an_agency_whose_referrals_the_person_cannot_see_shows_none_of_them(
    client, borough, make_referral
):
    """Every agency of the partnership is offered (naming one reveals nothing); the filter
    only narrows what the policy lets the person see."""
    make_referral()
    hidden = make_referral(referrer=borough["other_referrer"], agency=borough["school"])
    client.force_login(borough["referrer"])

    response = client.get(reverse("referrals:list"), {"agency": hidden.agency_id})

    assert response.status_code == 200
    assert references(response) == []
    assert hidden.reference.encode() not in response.content
    assert b"No referrals match these filters" in response.content
    assert b"There is a problem" not in response.content


def test_an_agency_that_does_not_exist_is_refused_with_an_error_summary(
    client, borough, make_referral
):
    make_referral()
    client.force_login(borough["referrer"])

    response = client.get(reverse("referrals:list"), {"agency": 987654})

    assert references(response) == []
    assert b"There is a problem" in response.content
    assert response.content.decode().count("<title>Error:") == 1


def test_a_list_longer_than_the_cap_says_more_than_and_pages_up_to_it(
    client, borough, make_referral, monkeypatch
):
    """The count stops at the cap (the database stops counting there too): the heading says
    "more than", the pages reach the cap, and the last one says to use the filters."""
    monkeypatch.setattr(list_paging, "CAP", 30)
    made = [make_referral() for _ in range(32)]
    client.force_login(borough["coordinator"])

    first = client.get(reverse("referrals:list"), {"sort": "reference"})
    second = client.get(reverse("referrals:list"), {"sort": "reference", "page": 2})
    beyond = client.get(reverse("referrals:list"), {"sort": "reference", "page": 3})

    assert b'data-testid="list-count">(more than 30)' in first.content
    assert b"Showing 1 to 25 of more than 30" in first.content
    assert b'data-testid="list-capped"' not in first.content
    ordered = sorted(r.reference for r in made)
    assert references(second) == ordered[25:30]
    assert b'data-testid="list-capped"' in second.content
    assert b"Use the filters to find the others" in second.content
    assert references(beyond) == ordered[25:30]  # a page past the cap is its last page


def test_a_list_within_the_cap_is_counted_exactly(client, borough, make_referral, monkeypatch):
    monkeypatch.setattr(list_paging, "CAP", 30)
    for _ in range(30):
        make_referral()
    client.force_login(borough["coordinator"])

    response = client.get(reverse("referrals:list"))

    assert b'data-testid="list-count">(30)' in response.content
    assert b"more than" not in response.content


def test_sorting_and_pages(client, borough, make_referral):
    made = [make_referral() for _ in range(27)]
    client.force_login(borough["coordinator"])

    first = client.get(reverse("referrals:list"), {"sort": "reference"})
    second = client.get(reverse("referrals:list"), {"sort": "reference", "page": 2})

    ordered = sorted(r.reference for r in made)
    assert references(first) == ordered[:25]
    assert references(second) == ordered[25:]
    assert b'rel="next"' in first.content


def test_newest_first_puts_the_persons_drafts_after_every_received_referral(
    client, borough, make_referral
):
    """A draft has not been received: it comes after the received referrals, newest or
    oldest first (the same order on SQLite and PostgreSQL, whose index walks it)."""
    draft = make_referral(state=ReferralState.DRAFT)
    older = make_referral()
    newer = make_referral()
    Referral.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    client.force_login(borough["referrer"])

    newest = client.get(reverse("referrals:list"))
    oldest = client.get(reverse("referrals:list"), {"sort": "oldest"})

    assert references(newest) == [newer.reference, older.reference, draft.reference]
    assert references(oldest) == [older.reference, newer.reference, draft.reference]


def test_the_auditor_gets_a_queue_of_live_cases_not_yet_reviewed(client, borough, make_referral):
    seen = make_referral()
    unseen = make_referral()
    make_referral(state=ReferralState.CLOSED)
    audit.record(actor=borough["auditor"], action=audit.Action.VIEWED, obj=seen, referral=seen)
    client.force_login(borough["auditor"])

    response = client.get(reverse("referrals:list"))

    assert references(response) == [unseen.reference]
    assert b"Cases to review" in response.content


def test_new_references_follow_the_one_format_and_continue_the_years_numbers(borough, settings):
    from django.utils import timezone

    from referrals import intake
    from tests.referrals.conftest import child_details, referral_details

    settings.REFERRAL_REFERENCE_PREFIX = "FEN"
    year = timezone.now().year
    made = [
        intake.referral_draft_save(
            actor=borough["referrer"],
            agency=borough["police"],
            child=child_details(last_name=f"Quill{n}"),
            details=referral_details(),
        )
        for n in range(2)
    ]

    assert [r.reference for r in made] == [f"FEN-{year}-0001", f"FEN-{year}-0002"]


def test_the_count_rule_by_rule_stops_at_the_cap_and_counts_a_referral_in_two_rules_once(
    make_referral,
):
    """The heading counts each rule's referrals (access.listable_referrals) up to the cap on
    its own: more than the cap across the rules is "more than", though no rule alone reaches
    it; within the cap a referral that two rules give is counted once."""
    made = [make_referral().pk for _ in range(12)]
    first_rule = Referral.objects.filter(pk__in=made[:7])  # 7
    second_rule = Referral.objects.filter(pk__in=made[5:])  # 7, two of them also in the first

    def paginator(cap):
        return list_paging.CappedPaginator(
            Referral.objects.filter(pk__in=made),
            25,
            counted_parts=[first_rule, second_rule],
            cap=cap,
        )

    assert (paginator(12).count, paginator(12).capped) == (12, False)
    assert (paginator(30).count, paginator(30).capped) == (12, False)
    assert (paginator(11).count, paginator(11).capped) == (11, True)
    assert (paginator(6).count, paginator(6).capped) == (6, True)
