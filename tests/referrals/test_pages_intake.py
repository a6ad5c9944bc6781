"""Making a referral through the pages: one question page at a time, every step saving the
draft, GOV.UK errors that keep what was typed, check your answers, and the confirmation."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Role
from referrals.models import HouseholdMember, Referral, ReferralState
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

VALID_NHS_NUMBER = "999 000 0018"
WRONG_CHECK_DIGIT = "999 000 0019"


def child_step(**overrides) -> dict:
    data = {
        "action": "continue",
        "first_name": "Ashlyn",
        "last_name": "Brackenridge",
        "aliases": "Ash\nAshy B",
        "born": "yes",
        "date_of_birth_0": "15",
        "date_of_birth_1": "6",
        "date_of_birth_2": "2012",
        "gender": "female",
        "address": "4 Heronsgate Row\nFenmarsh",
        "postcode": "fe1 2ab",
        "school": "Willowmere Academy",
        "nhs_number": VALID_NHS_NUMBER,
        "upn": "",
        "ethnicity": "White British",
        "first_language": "English",
        "disability": "",
    }
    data.update(overrides)
    return data


CONCERN = {
    "action": "continue",
    "categories": ["cse", "missing"],
    "concern": "Missing overnight twice this week; seen with older males.",
    "immediate_risk": "no",
}
CONSENT = {
    "action": "continue",
    "consent": "not_sought",
    "lawful_basis_not_sought": "Children Act 1989 s47; UK GDPR Art 6(1)(e)",
    "reason_not_sought": "Telling the family may place the child at greater risk.",
    "family_aware": "no",
}


@pytest.fixture
def referrer_client(client, borough):
    client.force_login(borough["referrer"])
    return client


def start(client, **overrides) -> Referral:
    response = client.post("/referrals/new/", child_step(**overrides))
    assert response.status_code == 302, response.content.decode()[:2000]
    return Referral.objects.latest("pk")


def page_text(response) -> str:
    return response.content.decode()


def test_the_first_step_creates_a_draft_and_continues_to_the_household(referrer_client, borough):
    response = referrer_client.post("/referrals/new/", child_step())

    draft = Referral.objects.get()
    assert response["Location"] == f"/referrals/{draft.pk}/draft/household/"
    assert draft.state == ReferralState.DRAFT
    assert draft.agency == borough["police"]
    assert draft.child.first_name == "Ashlyn"
    assert draft.child.aliases == ["Ash", "Ashy B"]
    assert draft.child.nhs_number == "9990000018"
    assert draft.child.postcode == "FE1 2AB"
    assert str(draft.child.date_of_birth) == "2012-06-15"


def test_a_wrong_nhs_number_is_shown_in_the_error_summary_and_keeps_what_was_typed(
    referrer_client,
):
    response = referrer_client.post("/referrals/new/", child_step(nhs_number=WRONG_CHECK_DIGIT))

    html = page_text(response)
    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert "<title>Error: About the child" in html
    assert 'class="govuk-error-summary"' in html
    assert '<a href="#id_nhs_number">Enter a valid NHS number' in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert f'value="{WRONG_CHECK_DIGIT}"' in html
    assert 'value="Ashlyn"' in html
    assert 'value="Brackenridge"' in html
    assert "Ash\nAshy B</textarea>" in html
    assert 'value="15"' in html and 'value="2012"' in html
    assert re.search(r'value="female"\s+checked', html)


def test_an_impossible_or_future_date_of_birth_is_refused_with_the_day_kept(referrer_client):
    impossible = referrer_client.post(
        "/referrals/new/", child_step(date_of_birth_0="31", date_of_birth_1="2")
    )
    missing_year = referrer_client.post("/referrals/new/", child_step(date_of_birth_2=""))
    next_year = str(timezone.localdate().year + 1)
    future = referrer_client.post("/referrals/new/", child_step(date_of_birth_2=next_year))

    assert "Date of birth must be a real date" in page_text(impossible)
    assert 'value="31"' in page_text(impossible)
    assert '<a href="#id_date_of_birth_2">Date of birth must include a year' in page_text(
        missing_year
    )
    assert "Date of birth must be today or in the past" in page_text(future)
    assert not Referral.objects.exists()


def test_an_unborn_child_needs_an_expected_date_within_the_next_ten_months(referrer_client):
    past = timezone.localdate() - timedelta(days=3)
    data = child_step(
        born="no",
        expected_date_of_birth_0=str(past.day),
        expected_date_of_birth_1=str(past.month),
        expected_date_of_birth_2=str(past.year),
    )

    refused = referrer_client.post("/referrals/new/", data)
    soon = timezone.localdate() + timedelta(days=60)
    data.update(
        expected_date_of_birth_0=str(soon.day),
        expected_date_of_birth_1=str(soon.month),
        expected_date_of_birth_2=str(soon.year),
    )
    accepted = referrer_client.post("/referrals/new/", data)

    assert "Expected date of birth must be in the future" in page_text(refused)
    assert accepted.status_code == 302
    child = Referral.objects.get().child
    assert child.is_unborn and child.expected_date_of_birth == soon
    assert child.date_of_birth is None


def test_continue_needs_the_essentials_but_save_as_draft_keeps_an_incomplete_step(
    referrer_client,
):
    incomplete = child_step(first_name="", born="", date_of_birth_0="", date_of_birth_1="")
    incomplete.pop("date_of_birth_2")

    refused = referrer_client.post("/referrals/new/", incomplete)
    saved = referrer_client.post("/referrals/new/", {**incomplete, "action": "save"})

    assert "Enter the child&#x27;s first name" in page_text(refused)
    assert "Select yes if the child has been born" in page_text(refused)
    assert saved["Location"] == "/referrals/drafts/"
    draft = Referral.objects.get()
    drafts_page = referrer_client.get("/referrals/drafts/", follow=True)
    assert f"Your draft referral {draft.reference} is saved" in page_text(drafts_page)
    assert draft.reference in page_text(drafts_page)
    assert f"/referrals/{draft.pk}/draft/check/" in page_text(drafts_page)


def test_a_person_referring_for_two_agencies_chooses_which(client, borough):
    MembershipFactory(user=borough["referrer"], agency=borough["school"], role=Role.REFERRER)
    client.force_login(borough["referrer"])

    form = client.get("/referrals/new/")
    refused = client.post("/referrals/new/", child_step())
    chosen = client.post("/referrals/new/", child_step(agency=borough["school"].pk))

    assert "Which agency are you referring for?" in page_text(form)
    assert "Select the agency you are referring for" in page_text(refused)
    assert chosen.status_code == 302
    assert Referral.objects.get().agency == borough["school"]


def test_someone_referring_for_one_agency_is_not_asked_which(referrer_client):
    assert "Which agency are you referring for?" not in page_text(
        referrer_client.get("/referrals/new/")
    )


def test_household_members_are_added_one_more_row_at_a_time_and_removed(referrer_client):
    draft = start(referrer_client)
    url = f"/referrals/{draft.pk}/draft/household/"
    first_person = {
        "rows": "0",
        "member-0-full_name": "Marnie Brackenridge",
        "member-0-relationship": "Mother",
        "member-0-date_of_birth_0": "4",
        "member-0-date_of_birth_1": "11",
        "member-0-date_of_birth_2": "1988",
        "member-0-lives_with_child": "yes",
    }

    added = referrer_client.post(url, {**first_person, "action": "add"})
    two_rows = referrer_client.get(added["Location"])
    second_person = {
        **first_person,
        "rows": "0,1",
        "member-1-full_name": "Dez Hallow",
        "member-1-relationship": "Mother's partner",
        "member-1-lives_with_child": "no",
    }
    referrer_client.post(url, {**second_person, "action": "continue"})
    names_after_saving = list(draft.household_members.values_list("full_name", flat=True))
    referrer_client.post(url, {**second_person, "action": "remove-0"})

    assert added.status_code == 302 and "add=1" in added["Location"]
    assert page_text(two_rows).count('data-testid="household-member"') == 2
    assert 'value="Marnie Brackenridge"' in page_text(two_rows)
    assert names_after_saving == ["Marnie Brackenridge", "Dez Hallow"]
    remaining = HouseholdMember.objects.filter(referral=draft)
    assert [(m.full_name, m.lives_with_child) for m in remaining] == [("Dez Hallow", False)]


def test_a_household_row_begun_needs_a_name_and_keeps_what_was_typed(referrer_client):
    draft = start(referrer_client)

    response = referrer_client.post(
        f"/referrals/{draft.pk}/draft/household/",
        {"rows": "0", "member-0-relationship": "Uncle", "action": "continue"},
    )

    html = page_text(response)
    assert '<a href="#id_member-0-full_name">Enter the full name of person 1</a>' in html
    assert 'value="Uncle"' in html
    assert not draft.household_members.exists()


def test_the_concern_step_keeps_the_narrative_when_no_category_is_chosen(referrer_client):
    draft = start(referrer_client)

    response = referrer_client.post(
        f"/referrals/{draft.pk}/draft/concern/",
        {"action": "continue", "concern": "Seen late at night at the bus station."},
    )

    html = page_text(response)
    assert '<a href="#id_categories_1">Select at least one category of concern</a>' in html
    assert "Seen late at night at the bus station.</textarea>" in html
    assert "Select yes if the child is at immediate risk of harm" in html


def test_the_consent_step_asks_for_the_lawful_basis_when_sharing_without_consent(
    referrer_client,
):
    draft = start(referrer_client)

    response = referrer_client.post(
        f"/referrals/{draft.pk}/draft/consent/",
        {"action": "continue", "consent": "refused", "reason_refused": "Risk of harm."},
    )
    accepted = referrer_client.post(f"/referrals/{draft.pk}/draft/consent/", CONSENT)

    html = page_text(response)
    assert '<a href="#id_lawful_basis_refused">Give the lawful basis' in html
    assert "Risk of harm.</textarea>" in html
    assert re.search(r'value="refused"\s+checked', html)
    assert accepted["Location"] == f"/referrals/{draft.pk}/draft/attachments/"
    draft.refresh_from_db()
    assert draft.consent == "not_sought"
    assert draft.lawful_basis.startswith("Children Act 1989")
    assert draft.family_aware == "no"


def test_check_your_answers_shows_what_is_missing_linked_to_its_step(referrer_client):
    response = referrer_client.post("/referrals/new/", {**child_step(), "action": "save"})
    draft = Referral.objects.get()

    response = referrer_client.post(f"/referrals/{draft.pk}/draft/check/")

    html = page_text(response)
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in html
    assert (
        f'<a href="/referrals/{draft.pk}/draft/concern/?return=check#id_categories_1">'
        "Select at least one category of concern</a>"
    ) in html
    assert f"/referrals/{draft.pk}/draft/consent/?return=check#id_consent_0" in html
    draft.refresh_from_db()
    assert draft.state == ReferralState.DRAFT


def test_a_change_link_returns_to_check_your_answers(referrer_client):
    draft = start(referrer_client)

    response = referrer_client.post(f"/referrals/{draft.pk}/draft/concern/?return=check", CONCERN)

    assert response["Location"] == f"/referrals/{draft.pk}/draft/check/"


def test_a_complete_referral_is_submitted_and_confirmed_with_its_reference(
    referrer_client, borough
):
    draft = start(referrer_client)
    base = f"/referrals/{draft.pk}/draft"
    referrer_client.post(f"{base}/household/", {"rows": "0", "action": "continue"})
    referrer_client.post(f"{base}/concern/", CONCERN)
    referrer_client.post(f"{base}/consent/", CONSENT)
    to_check = referrer_client.post(f"{base}/attachments/", {"action": "continue"})
    check = referrer_client.get(f"{base}/check/")

    submitted = referrer_client.post(f"{base}/check/")
    confirmation = referrer_client.get(submitted["Location"])

    assert to_check["Location"] == f"{base}/check/"
    assert "Check your answers before submitting the referral" in page_text(check)
    assert "Child sexual exploitation" in page_text(check)
    assert f'href="{base}/concern/?return=check"' in page_text(check)
    draft.refresh_from_db()
    assert draft.state == ReferralState.SUBMITTED
    assert submitted["Location"] == f"/referrals/{draft.pk}/submitted/"
    assert 'class="govuk-panel govuk-panel--confirmation"' in page_text(confirmation)
    assert draft.reference in page_text(confirmation)
    # Once submitted, the steps lead to the referral itself.
    assert referrer_client.get(f"{base}/child/")["Location"] == f"/referrals/{draft.pk}/"


def test_another_referrer_gets_404_on_someone_elses_draft_steps(client, borough):
    client.force_login(borough["referrer"])
    draft = start(client)
    client.force_login(borough["other_referrer"])

    for step in ("child", "household", "concern", "consent", "attachments", "check"):
        assert client.get(f"/referrals/{draft.pk}/draft/{step}/").status_code == 404
        assert client.post(f"/referrals/{draft.pk}/draft/{step}/", {}).status_code == 404
    assert client.get(f"/referrals/{draft.pk}/submitted/").status_code == 404


def test_someone_who_does_not_refer_cannot_start_a_referral(client, borough):
    client.force_login(borough["coordinator"])

    assert client.get("/referrals/new/").status_code == 403
    assert client.get("/referrals/drafts/").status_code == 403


def test_a_file_is_attached_to_the_draft_and_can_be_downloaded(referrer_client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    draft = start(referrer_client)
    url = f"/referrals/{draft.pk}/draft/attachments/"
    note = SimpleUploadedFile("chronology.txt", b"School chronology.\n", "text/plain")

    uploaded = referrer_client.post(url, {"action": "upload", "file": note})
    page = referrer_client.get(url)
    nothing_chosen = referrer_client.post(url, {"action": "upload"})

    assert uploaded["Location"] == url
    attachment = draft.attachments.get()
    assert "chronology.txt" in page_text(page)
    assert f"/referrals/{draft.pk}/attachments/{attachment.pk}/" in page_text(page)
    assert '<a href="#id_file">Select a file to upload</a>' in page_text(nothing_chosen)
