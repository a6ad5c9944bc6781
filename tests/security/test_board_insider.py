"""Insiders with a valid login try the board's dashboard and its CSVs (board/urls.py): a
board member sees the figures of the panels they oversee only, an agency lead those of their
agency only, a chair those of the panel they run; a referrer, a panel member, an auditor and
a data protection officer are refused; and nothing on the page or in an export identifies a
child to a board member.

The quarter of tests/board (July to September 2025): panel "Fenmarsh MASH" overseen by
`board`, referrals from Police and School. Here a second panel, "Ashcombe MARAC", gets a
referral of its own from an agency no one here leads, "Ashcombe Housing"."""

from datetime import date

import pytest
from django.utils import timezone

from agencies.models import AgencyType, AuditAction, AuditEvent, Role
from board import selectors
from panels.models import Panel, PanelKind, PanelMembership, PanelOversight
from referrals.models import Child, Referral, ReferralState
from tests.board.conftest import SECRETS, at, quarter  # noqa: F401 - the fixture
from tests.factories import AgencyFactory, MembershipFactory, UserFactory

__all__ = ["quarter"]

Q3 = {"period": "2025-Q3"}
UNSEEN_AGENCY = "Ashcombe Housing"
# A child of the overseen panel, with every identifier a referral may carry.
CHILD_SECRETS = [
    "Thessaly",
    "Brackenmoor",
    "2013-11-27",
    "27 Nov 2013",
    "27/11/2013",
    "9 Sedgewick Row",
    "FN4 7QX",
    "St Ansel",
    "9434765870",
    "H801200001001",
    "BRDX-",
]


@pytest.fixture
def two_panels(quarter):
    """The quarter, with a second panel the board member does not oversee and a child of the
    overseen panel carrying every identifier."""
    housing = AgencyFactory(name=UNSEEN_AGENCY, agency_type=AgencyType.HOUSING)
    marac = Panel.objects.create(name="Ashcombe MARAC", kind=PanelKind.MARAC)
    stranger = Child.objects.create(first_name="Unseen", last_name="Child")
    Referral.objects.create(
        reference="MARAC-1",
        child=stranger,
        agency=housing,
        referrer=quarter.people["referrer"],
        hub=marac,
        state=ReferralState.LISTED_FOR_PANEL,
        categories=["domestic"],
        submitted_at=at(2025, 8, 5, 10),
        decided_at=at(2025, 8, 5, 15),
    )
    known = Child.objects.create(
        first_name="Thessaly",
        last_name="Brackenmoor",
        date_of_birth=date(2013, 11, 27),
        address="9 Sedgewick Row, Fenmarsh",
        postcode="FN4 7QX",
        school="St Ansel's Primary",
        nhs_number="9434765870",
        upn="H801200001001",
    )
    Referral.objects.create(
        reference="BRDX-1",
        child=known,
        agency=quarter.police,
        referrer=quarter.people["referrer"],
        hub=quarter.panel,
        state=ReferralState.LISTED_FOR_PANEL,
        categories=["cce"],
        concern="Thessaly Brackenmoor seen at 9 Sedgewick Row.",
        submitted_at=at(2025, 9, 2, 10),
        decided_at=at(2025, 9, 2, 14),
    )

    def seat(role, agency, name, panel=None, seat_role="member"):
        user = UserFactory(username=name, first_name=name.title(), last_name="Person")
        MembershipFactory(user=user, agency=agency, role=role)
        if panel is not None:
            PanelMembership.objects.create(panel=panel, user=user, agency=agency, role=seat_role)
        return user

    quarter.people |= {
        "marac_board": seat(Role.BOARD_MEMBER, housing, "marac_board"),
        "chair": seat(Role.PANEL_CHAIR, quarter.csc, "chair", quarter.panel, "chair"),
        "member": seat(Role.PANEL_MEMBER, quarter.school, "member", quarter.panel),
        "dpo": seat(Role.DATA_PROTECTION_OFFICER, quarter.csc, "dpo"),
    }
    PanelOversight.objects.create(panel=marac, user=quarter.people["marac_board"])
    quarter.marac = marac
    return quarter


def _everything(client, **params) -> list[str]:
    """The dashboard page and every CSV of it, as text (each answer asserted 200)."""
    answers = [client.get("/board/dashboard/", {**Q3, **params})]
    answers += [
        client.get(f"/board/dashboard/{key}.csv", {**Q3, **params}) for key in selectors.FIGURE_KEYS
    ]
    assert [a.status_code for a in answers] == [200] * len(answers)
    return [a.content.decode() for a in answers]


def _referrals_by_agency_csv(client, **params) -> str:
    response = client.get("/board/dashboard/referrals-by-agency.csv", {**Q3, **params})
    assert response.status_code == 200
    return response.content.decode()


# --- Who sees which figures -------------------------------------------------------------------


def test_a_board_member_sees_the_panels_they_oversee_and_not_another_panels(client, two_panels):
    client.force_login(two_panels.people["board"])

    page = client.get("/board/dashboard/", Q3).content.decode()
    export = _referrals_by_agency_csv(client)
    narrowed = _referrals_by_agency_csv(client, panel=two_panels.marac.pk)

    assert "Police" in export and "School" in export
    assert "Ashcombe MARAC" not in page  # not even offered as a filter
    for text in (export, narrowed):
        assert UNSEEN_AGENCY not in text
    # The other panel's board member, at the same door, sees that panel's referral.
    client.force_login(two_panels.people["marac_board"])
    assert UNSEEN_AGENCY in _referrals_by_agency_csv(client)


def test_a_board_member_whose_oversight_or_role_has_ended_is_refused(client, two_panels):
    board = two_panels.people["board"]
    client.force_login(board)
    assert client.get("/board/dashboard/").status_code == 200

    PanelOversight.objects.filter(user=board).update(ended_at=timezone.now())

    assert client.get("/board/dashboard/").status_code == 403
    assert client.get("/board/dashboard/referrals-by-agency.csv").status_code == 403
    PanelOversight.objects.filter(user=board).update(ended_at=None)
    board.memberships.update(ended_at=timezone.now())
    assert client.get("/board/dashboard/").status_code == 403


def test_an_agency_lead_sees_their_agency_only_even_when_narrowing_to_another(client, two_panels):
    client.force_login(two_panels.people["lead_police"])

    export = _referrals_by_agency_csv(client)
    narrowed = _referrals_by_agency_csv(client, agency=two_panels.school.pk)
    by_panel = _referrals_by_agency_csv(client, panel=two_panels.panel.pk)

    assert "Police" in export
    for text in (export, narrowed, by_panel):
        assert "School" not in text.split("\n", 1)[1]  # no row for the school
        assert UNSEEN_AGENCY not in text


def test_a_chair_sees_the_panel_they_run_and_not_another(client, two_panels):
    client.force_login(two_panels.people["chair"])

    export = _referrals_by_agency_csv(client)
    narrowed = _referrals_by_agency_csv(client, panel=two_panels.marac.pk)

    assert "Police" in export
    assert UNSEEN_AGENCY not in export + narrowed


@pytest.mark.parametrize("who", ["referrer", "member", "auditor", "dpo", "coordinator", "w1"])
def test_a_referrer_panel_member_auditor_or_dpo_is_refused_the_page_and_every_csv(
    client, two_panels, who
):
    client.force_login(two_panels.people[who])

    page = client.get("/board/dashboard/", Q3)
    exports = [
        client.get(f"/board/dashboard/{key}.csv", Q3).status_code for key in selectors.FIGURE_KEYS
    ]

    assert page.status_code == 403
    assert set(exports) == {403}
    assert "Police" not in page.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORTED_CSV).exists()


# --- No child is identified -----------------------------------------------------------------


@pytest.mark.parametrize("who", ["board", "lead_police", "chair"])
def test_nothing_on_the_dashboard_or_in_its_csvs_identifies_a_child(client, two_panels, who):
    client.force_login(two_panels.people[who])

    texts = _everything(client) + _everything(client, panel=two_panels.panel.pk)

    assert "BRDX-1" in Referral.objects.values_list("reference", flat=True)  # seeded
    found = {secret for text in texts for secret in SECRETS + CHILD_SECRETS if secret in text}
    assert found == set()


def test_a_board_member_sees_counts_not_references_of_unallocated_live_cases(client, two_panels):
    client.force_login(two_panels.people["board"])

    export = client.get("/board/dashboard/unallocated.csv", Q3).content.decode()

    assert "All unallocated" in export
    live = Referral.objects.filter(hub=two_panels.panel, state=ReferralState.LISTED_FOR_PANEL)
    assert live.exists()
    for reference in live.values_list("reference", flat=True):
        assert reference not in export
