"""The referral list's rows and filters as each person sees them: each row's cells are the
referral's own (its reference and link, the child's initials, the agency, the state and RAG
rating, when it was received), and the filter form offers its fields' own choices."""

import itertools
import re
from datetime import timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone

import access
from agencies.models import AgencyType, Role
from panels.models import AgendaItem, Meeting, Panel, PanelKind, PanelMembership
from referrals.filters import NEWEST
from referrals.models import Child, Rag, Referral, ReferralState
from tests.factories import AgencyFactory, person

_numbers = itertools.count(1)
PEOPLE = ["referrer", "lead", "panel_member", "auditor"]


@pytest.fixture
def town(db):
    police = AgencyFactory(name="Police & Partners <East>", agency_type=AgencyType.POLICE)
    school = AgencyFactory(name="School", agency_type=AgencyType.EDUCATION)
    council = AgencyFactory(name="Council", agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    people = {
        "referrer": person(Role.REFERRER, police, username="referrer"),
        "lead": person(Role.AGENCY_LEAD, police, username="lead"),
        "panel_member": person(Role.PANEL_MEMBER, school, username="panel_member"),
        "auditor": person(Role.QUALITY_AUDITOR, council, username="auditor"),
        "school_referrer": person(Role.REFERRER, school, username="school_referrer"),
    }
    now = timezone.now()

    def referral(*, agency=police, referrer=people["referrer"], state, rag="", days_ago):
        n = next(_numbers)
        child = Child.objects.create(first_name=f"zara{n}", last_name=f"quill{n}")
        received = now - timedelta(days=days_ago, minutes=7 * n)
        return Referral.objects.create(
            reference=f"LST-{n:04d}",
            child=child,
            agency=agency,
            referrer=referrer,
            state=state,
            rag=rag,
            concern="Missing overnight.",
            submitted_at=None if state == ReferralState.DRAFT else received,
        )

    referrals = [
        referral(state=ReferralState.SUBMITTED, rag=Rag.RED, days_ago=1),
        referral(state=ReferralState.SCREENED, rag=Rag.AMBER, days_ago=40),
        referral(state=ReferralState.LISTED_FOR_PANEL, rag=Rag.GREEN, days_ago=200),
        referral(state=ReferralState.CLOSED, days_ago=3),
        referral(state=ReferralState.DRAFT, days_ago=0),
        referral(
            agency=school,
            referrer=people["school_referrer"],
            state=ReferralState.ESCALATED,
            rag=Rag.RED,
            days_ago=5,
        ),
        referral(
            agency=school,
            referrer=people["school_referrer"],
            state=ReferralState.EARLY_HELP,
            days_ago=9,
        ),
    ]
    # The panel member sees the cases listed on their panel's meetings.
    panel = Panel.objects.create(name="Panel P", kind=PanelKind.EXPLOITATION)
    PanelMembership.objects.create(panel=panel, user=people["panel_member"], agency=school)
    meeting = Meeting.objects.create(panel=panel, starts_at=now + timedelta(days=3))
    for position, listed in enumerate((referrals[1], referrals[2], referrals[5]), start=1):
        AgendaItem.objects.create(meeting=meeting, referral=listed, position=position)
    return {"people": people, "referrals": referrals, "police": police, "school": school}


def _expected_cells(referral: Referral) -> dict:
    """The cells as the template drew them from the model before the rows were read as
    values: its display methods, the child's initials and the date filter."""
    return {
        "pk": referral.pk,
        "reference": referral.reference,
        "url": reverse("referrals:detail", args=[referral.pk]),
        "child_initials": referral.child.initials,
        "agency_name": referral.agency.name,
        "state_label": referral.get_state_display(),
        "rag": referral.rag,
        "rag_label": referral.get_rag_display() if referral.rag else "",
        "received": date_filter(
            timezone.localtime(referral.submitted_at or referral.created_at), "j M Y H:i"
        ),
    }


def _cells(row) -> dict:
    return {name: getattr(row, name) for name in CELLS}


CELLS = [
    "pk",
    "reference",
    "url",
    "child_initials",
    "agency_name",
    "state_label",
    "rag",
    "rag_label",
    "received",
]


@pytest.mark.parametrize("who", PEOPLE)
def test_each_persons_rows_are_their_visible_referrals_newest_first_with_their_own_cells(
    client, town, who
):
    user = town["people"][who]
    client.force_login(user)

    response = client.get(reverse("referrals:list"), {"sort": "newest"})

    expected = (
        access.visible_referrals(user)
        .select_related("agency", "child")
        .order_by(NEWEST, "-created_at", "-pk")
    )
    assert expected, "each person sees some referrals here"
    assert [_cells(row) for row in response.context["referrals"]] == [
        _expected_cells(referral) for referral in expected
    ]


def test_rag_ratings_are_tagged_red_amber_and_green_and_an_unrated_referral_has_none(client, town):
    client.force_login(town["people"]["lead"])

    html = client.get(reverse("referrals:list")).content.decode()

    body = html[html.index('<tbody class="govuk-table__body">') : html.index("</tbody>")]
    rows = {
        re.search(r"LST-\d+", row)[0]: row
        for row in re.findall(r'<tr class="govuk-table__row">.*?</tr>', body, re.S)
    }
    first, second, third, closed = town["referrals"][:4]
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in rows[first.reference]
    assert '<strong class="govuk-tag govuk-tag--orange">Amber</strong>' in rows[second.reference]
    assert '<strong class="govuk-tag govuk-tag--green">Green</strong>' in rows[third.reference]
    assert rows[closed.reference].count("<strong") == 1  # the state's tag only
    assert '<strong class="govuk-tag govuk-tag--grey">Closed</strong>' in rows[closed.reference]
    assert f'href="/referrals/{first.pk}/"' in rows[first.reference]
    assert "Police &amp; Partners &lt;East&gt;</td>" in rows[first.reference]


def test_the_filters_offer_their_fields_choices_with_the_chosen_ones_selected(client, town):
    police = town["police"]
    client.force_login(town["people"]["lead"])

    response = client.get(
        reverse("referrals:list"), {"agency": police.pk, "state": "open", "made_by_me": "on"}
    )

    form = response.context["filter"].form
    fields = response.context["fields"]
    for field in [*fields.fields, fields.sort]:
        if field.kind != "select":
            continue
        choices = [(str(value), str(label)) for value, label in form[field.name].field.choices]
        assert [(value, label) for value, label, _ in field.options] == choices
    html = response.content.decode()
    assert f'<option value="{police.pk}" selected>Police &amp; Partners &lt;East&gt;</option>' in (
        html
    )
    assert '<option value="open" selected>' in html
    assert '<option value="" selected>' not in html
    assert 'name="made_by_me" type="checkbox" checked>' in html
    assert 'name="my_agency" type="checkbox">' in html
    # Nothing chosen: no option is marked (the browser shows the first, "Any ...").
    assert html.count(" selected>") == 2


def test_a_wrong_date_is_described_by_its_own_error_message(client, town):
    client.force_login(town["people"]["lead"])

    html = client.get(
        reverse("referrals:list"),
        {"received_from_0": "31", "received_from_1": "2", "received_from_2": "2026"},
    ).content.decode()

    assert 'role="group" aria-describedby="id_received_from-error">' in html
    assert (
        '<p id="id_received_from-error" class="govuk-error-message"><span '
        'class="govuk-visually-hidden">Error:</span> Received on or after must be a real date</p>'
    ) in html
    assert 'id="id_received_from_0" name="received_from_0" type="text" inputmode="numeric" ' in (
        html
    )
    assert 'value="31"' in html and 'value="2026"' in html
    assert '<a href="#id_received_from_0">Received on or after must be a real date</a>' in html


@pytest.mark.parametrize("who", PEOPLE)
def test_listable_referrals_are_the_persons_visible_referrals_to_show_and_to_count(town, who):
    user = town["people"][who]

    shown, rules = access.listable_referrals(user)

    visible = set(access.visible_referrals(user).values_list("pk", flat=True))
    assert set(shown.values_list("pk", flat=True)) == visible
    assert set().union(*(rule.values_list("pk", flat=True) for rule in rules)) == visible
