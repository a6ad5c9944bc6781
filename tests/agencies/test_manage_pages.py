"""The management pages: people get accounts without anyone setting their password, agencies
and teams are created and changed with their audit rows, and every page is a GOV.UK page
(error summary, a label for every field, no inline script or style)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from agencies.models import Agency, AgencyType, AuditAction, AuditEvent, Role, Team
from notifications.models import Notification, NotificationKind
from tests.factories import person

User = get_user_model()

NEW_PERSON = {
    "first_name": "Nia",
    "last_name": "Castell",
    "username": "nia.castell",
    "email": "nia.castell@alderbrook.example",
}


@pytest.fixture
def admin_client(client, world):
    client.force_login(world.people["sysadmin"])
    return client


def link_in(message) -> str:
    return re.search(r"http://\S+/set-password/\S+/", message.body).group(0)


def path_of(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def assert_gov_uk_page(html: str) -> None:
    """A label for every field, and no inline script or style (the CSP forbids both)."""
    assert " style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag or 'type="submit"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag).group(1)
        assert f'for="{field_id}"' in html, f"no label for {field_id}"
    summary = html.split('class="govuk-error-summary__list"')[1:]
    for anchor in re.findall(r'href="#([^"]+)"', summary[0].split("</ul>")[0] if summary else ""):
        assert f'id="{anchor}"' in html, f"the error summary links to a missing #{anchor}"


# --- People ----------------------------------------------------------------------------------


def test_a_new_person_is_emailed_a_one_time_link_and_sets_their_own_password(
    admin_client, client, world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post("/manage/people/new/", NEW_PERSON)

    nia = User.objects.get(username="nia.castell")
    assert response.status_code == 302
    assert not nia.has_usable_password()  # nobody set it
    assert [message.to for message in mail.outbox] == [["nia.castell@alderbrook.example"]]
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATED, object_type="auth.user", object_id=str(nia.pk)
    ).exists()

    client.logout()
    link = path_of(link_in(mail.outbox[0]))
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert "Set your password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "kingfisher-orchard-47", "new_password2": "kingfisher-orchard-47"},
    )
    assert done.status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditAction.PASSWORD_RESET, object_id=str(nia.pk), detail__startswith="First"
    ).exists()
    assert client.login(username="nia.castell", password="kingfisher-orchard-47")
    client.logout()
    assert "This link does not work" in client.get(link, follow=True).content.decode()


def test_the_set_password_page_shows_a_gov_uk_error_summary(
    admin_client, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post("/manage/people/new/", NEW_PERSON)
    client.logout()
    form_page = client.get(path_of(link_in(mail.outbox[0])), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "a", "new_password2": "b"}
    )

    html = response.content.decode()
    assert "<title>Error: " in html
    assert "govuk-error-summary" in html
    assert "Enter the same password in both boxes" in html
    assert_gov_uk_page(html)


def test_a_person_form_with_mistakes_shows_the_error_summary_and_keeps_nothing(admin_client):
    response = admin_client.post("/manage/people/new/", {**NEW_PERSON, "email": "not-an-email"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Enter an email address in the correct format" in html
    assert not User.objects.filter(username="nia.castell").exists()
    assert_gov_uk_page(html)


def test_every_mistake_on_the_grant_form_links_to_the_input_that_fixes_it(admin_client, world):
    response = admin_client.post(
        f"/manage/people/{world.people['referrer_c'].pk}/roles/new/", {"job_title": "Nurse"}
    )

    html = response.content.decode()
    assert "<title>Error: " in html
    assert 'href="#id_role_1"' in html  # the first radio, not the fieldset
    main = html.split('id="main-content"')[1].split("</main>")[0]
    assert main.count('name="csrfmiddlewaretoken"') == 1
    assert_gov_uk_page(html)


def test_a_username_already_taken_is_refused_with_a_message(admin_client, world):
    response = admin_client.post("/manage/people/new/", {**NEW_PERSON, "username": "LEAD_A"})

    assert "The username LEAD_A is taken" in response.content.decode()
    assert "<title>Error: " in response.content.decode()


def test_the_people_list_filters_by_name_agency_and_account(admin_client, world):
    by_name = admin_client.get("/manage/people/", {"q": "referrer_a", "status": "active"})
    by_agency = admin_client.get(
        "/manage/people/", {"agency": world.agencies["b"].pk, "status": "all"}
    )

    assert {p.username for p in by_name.context["people"]} == {"referrer_a", "referrer_a2"}
    assert {p.username for p in by_agency.context["people"]} == {"lead_b", "member_p"}
    assert_gov_uk_page(by_name.content.decode())


def test_a_new_set_password_link_can_be_sent_and_is_audited(
    admin_client, world, django_capture_on_commit_callbacks
):
    lead = world.people["lead_a"]

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/manage/people/{lead.pk}/password-link/")

    assert response.status_code == 302
    assert mail.outbox[0].to == [lead.email]
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_LINK_SENT).count() == 1


def test_the_person_page_offers_only_what_the_policy_allows(admin_client, world):
    own = admin_client.get(f"/manage/people/{world.people['sysadmin'].pk}/").content.decode()
    other = admin_client.get(f"/manage/people/{world.people['lead_a'].pk}/").content.decode()

    assert "This is your own account" in own
    assert "/roles/new/" not in own and "/end/" not in own
    assert "/roles/new/" in other and "/end/" in other
    assert_gov_uk_page(other)


# --- Agencies and teams ---------------------------------------------------------------------


def test_an_agency_is_created_changed_and_deactivated_with_its_audit_rows(admin_client, world):
    admin_client.post(
        "/manage/agencies/new/",
        {"name": "Fenmarsh Homes", "agency_type": AgencyType.HOUSING, "ods_code": "", "urn": ""},
    )
    homes = Agency.objects.get(name="Fenmarsh Homes")
    dpo = person(Role.DATA_PROTECTION_OFFICER, homes, username="dpo_homes")
    referrer = person(Role.REFERRER, homes, username="tenancy_officer")

    admin_client.post(
        f"/manage/agencies/{homes.pk}/edit/",
        {
            "name": "Fenmarsh Homes Ltd",
            "agency_type": AgencyType.HOUSING,
            "ods_code": "",
            "urn": "",
        },
    )
    admin_client.post(f"/manage/agencies/{homes.pk}/deactivate/", {"reason": "Merged."})

    homes.refresh_from_db()
    assert (homes.name, homes.is_active) == ("Fenmarsh Homes Ltd", False)
    assert list(
        AuditEvent.objects.filter(object_type="agencies.agency", object_id=str(homes.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [AuditAction.CREATED, AuditAction.CHANGED, AuditAction.DEACTIVATED]
    assert AuditEvent.objects.get(action=AuditAction.CHANGED).detail == (
        "name: Fenmarsh Homes -> Fenmarsh Homes Ltd"
    )
    assert (
        Notification.objects.filter(recipient=dpo, kind=NotificationKind.ACCESS_CHANGED).count()
        == 2
    )
    assert not referrer.memberships.filter(agency__is_active=True).exists()


def test_the_administrator_cannot_deactivate_an_agency_they_act_for(admin_client, world):
    own = world.agencies["csc"]

    response = admin_client.post(f"/manage/agencies/{own.pk}/deactivate/", {"reason": "Oops."})

    assert response.status_code == 403
    own.refresh_from_db()
    assert own.is_active


def test_a_team_is_added_and_renamed_and_a_duplicate_refused(admin_client, world):
    agency = world.agencies["a"]
    admin_client.post(f"/manage/agencies/{agency.pk}/teams/new/", {"name": "Public Protection"})
    team = Team.objects.get(agency=agency)

    duplicate = admin_client.post(
        f"/manage/agencies/{agency.pk}/teams/new/", {"name": "public protection"}
    )
    admin_client.post(f"/manage/teams/{team.pk}/rename/", {"name": "Public Protection Unit"})

    assert "already has a team called public protection" in duplicate.content.decode()
    team.refresh_from_db()
    assert team.name == "Public Protection Unit"
    assert list(
        AuditEvent.objects.filter(object_type="agencies.team").values_list("action", "detail")
    ) == [
        (
            AuditAction.CHANGED,
            f"Team of {agency.name} renamed: Public Protection -> Public Protection Unit",
        ),
        (AuditAction.CREATED, f"Team Public Protection of {agency.name}"),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/manage/",
        "/manage/people/new/",
        "/manage/agencies/",
        "/manage/agencies/new/",
        "/manage/approvals/",
    ],
)
def test_every_management_page_is_a_gov_uk_page(admin_client, path):
    response = admin_client.get(path)

    assert response.status_code == 200
    assert_gov_uk_page(response.content.decode())


def test_the_home_page_links_the_administrator_and_the_leads_to_their_pages(client, world):
    client.force_login(world.people["sysadmin"])
    admin_home = client.get("/").content.decode()
    client.force_login(world.people["lead_a"])
    lead_home = client.get("/").content.decode()
    client.force_login(world.people["referrer_a"])
    referrer_home = client.get("/").content.decode()

    assert 'href="/manage/"' in admin_home and 'href="/manage/approvals/"' in admin_home
    assert 'href="/manage/"' not in lead_home and 'href="/manage/approvals/"' in lead_home
    assert "/manage/" not in referrer_home


# --- A hub's screening clocks -----------------------------------------------------------------


def test_the_administrator_sets_a_hubs_screening_clocks_with_a_reason(admin_client, world):
    from referrals.models import ScreeningClocks

    panel = world.meeting.panel
    values = {
        "red_hours": "2",
        "red_counting": "round_the_clock",
        "amber_working_days": "1",
        "green_working_days": "3",
        "decision_working_days": "1",
        "working_day_start": "08:30",
        "working_day_end": "",
        "reason": "Agreed by the partnership.",
    }

    page = admin_client.get(f"/manage/panels/{panel.pk}/screening-clocks/")
    saved = admin_client.post(f"/manage/panels/{panel.pk}/screening-clocks/", values)
    refused = admin_client.post(
        f"/manage/panels/{panel.pk}/screening-clocks/", {**values, "red_hours": "0"}
    )

    assert_gov_uk_page(page.content.decode())
    assert saved.status_code == 302
    clocks = ScreeningClocks.objects.get(panel=panel)
    assert (clocks.red_hours, clocks.red_counting) == (2, "round_the_clock")
    assert AuditEvent.objects.filter(
        object_type="referrals.screeningclocks", reason="Agreed by the partnership."
    ).exists()
    assert refused.status_code == 200
    assert "<title>Error: " in refused.content.decode()
    clocks.refresh_from_db()
    assert clocks.red_hours == 2


def test_the_panel_page_links_to_its_screening_clocks_for_those_who_may_set_them(client, world):
    panel = world.meeting.panel
    link = f"/manage/panels/{panel.pk}/screening-clocks/"

    client.force_login(world.people["chair"])
    chairs_page = client.get(f"/panels/{panel.pk}/").content.decode()
    client.force_login(world.people["member_p"])
    members_page = client.get(f"/panels/{panel.pk}/").content.decode()

    assert link in chairs_page
    assert link not in members_page
