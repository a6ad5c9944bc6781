"""The Django admin is a superuser's break-fix tool: no role enters it, and nothing in it
grants access, impersonates a person or goes unaudited (issue 12, finding 1)."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory

from agencies.models import AuditAction, AuditEvent, Membership, Role
from panels.models import Panel, PanelKind, PanelMembership, PanelOversight
from tests.conftest import pass_second_factor_page
from tests.factories import AgencyFactory, MembershipFactory, UserFactory, person

User = get_user_model()
PASSWORD = "correct-horse-battery"


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Fenmarsh Constabulary")


@pytest.fixture
def sysadmin(agency):
    """The system administrator role, made staff as the old demo did: still no admin."""
    return person(Role.SYSTEM_ADMINISTRATOR, agency, username="admin.fenmarsh", is_staff=True)


@pytest.fixture
def dana(agency):
    return person(Role.REFERRER, agency, username="dana.harlow")


@pytest.fixture
def superuser(db):
    """The break-fix account, made with `createsuperuser` and holding no role."""
    return UserFactory(username="breakfix", is_staff=True, is_superuser=True)


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def panel(db):
    return Panel.objects.create(name="Exploitation panel", kind=PanelKind.EXPLOITATION)


# --- Who may enter ---------------------------------------------------------------------------


def test_system_administrator_role_is_refused_at_the_admin_and_the_refusal_audited(
    client, sysadmin
):
    client.force_login(sysadmin)

    for path in ["/admin/", "/admin/agencies/membership/add/", "/admin/auth/user/"]:
        assert client.get(path).status_code == 403, path

    assert AuditEvent.objects.filter(actor=sysadmin, action=AuditAction.REFUSED).count() == 3


def test_system_administrator_cannot_sign_in_through_the_admin_sign_in_page(client, sysadmin):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "admin.fenmarsh", "password": PASSWORD}
    )

    assert response.status_code == 200  # the form again, with its error
    assert "_auth_user_id" not in client.session


def test_superuser_who_also_holds_a_role_is_refused(client, superuser, agency):
    MembershipFactory(user=superuser, agency=agency, role=Role.PANEL_COORDINATOR)
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 403


def test_inactive_superuser_is_sent_to_sign_in(client, superuser):
    superuser.is_active = False
    superuser.save()
    client.force_login(superuser)

    assert client.get("/admin/").status_code == 302


def test_break_fix_superuser_enters_the_admin(superuser_client):
    assert superuser_client.get("/admin/").status_code == 200


def test_break_fix_superuser_signs_in_through_the_admin_sign_in_page(client, superuser):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "breakfix", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/admin/")["Location"].startswith("/sign-in/second-factor/")
    pass_second_factor_page(client, superuser)
    assert client.get("/admin/").status_code == 200


def test_not_signed_in_is_sent_to_the_admin_sign_in(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- Memberships, seats, oversights and groups cannot be changed -----------------------------


def _membership(sysadmin, dana, panel, agency):
    return Membership.objects.get(user=dana)


def _panel_seat(sysadmin, dana, panel, agency):
    return PanelMembership.objects.create(panel=panel, user=dana, agency=agency)


def _oversight(sysadmin, dana, panel, agency):
    return PanelOversight.objects.create(panel=panel, user=dana)


def _group(sysadmin, dana, panel, agency):
    return agency.permission_group


ACCESS_OBJECTS = {
    "agencies/membership": (
        _membership,
        {"user": "{sysadmin}", "agency": "{agency}", "role": Role.PANEL_COORDINATOR},
    ),
    "panels/panelmembership": (
        _panel_seat,
        {"user": "{sysadmin}", "panel": "{panel}", "agency": "{agency}", "role": "chair"},
    ),
    "panels/paneloversight": (_oversight, {"user": "{sysadmin}", "panel": "{panel}"}),
    "auth/group": (_group, {"name": "Break-fix", "permissions": "{permission}"}),
}


def _post_data(template, sysadmin, panel, agency):
    values = {
        "sysadmin": sysadmin.pk,
        "panel": panel.pk,
        "agency": agency.pk,
        "permission": Permission.objects.get(codename="view_referral").pk,
    }
    return {
        key: value.format(**values) if isinstance(value, str) and "{" in value else value
        for key, value in template.items()
    }


def _grants(sysadmin):
    return (
        Membership.objects.filter(user=sysadmin).count(),
        PanelMembership.objects.filter(user=sysadmin).count(),
        PanelOversight.objects.filter(user=sysadmin).count(),
        Group.objects.filter(name="Break-fix").count(),
    )


@pytest.mark.parametrize("model", ACCESS_OBJECTS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_superuser_cannot_add_an_access_grant(
    superuser_client, sysadmin, dana, panel, agency, model, method
):
    _, template = ACCESS_OBJECTS[model]
    before = _grants(sysadmin)
    data = _post_data(template, sysadmin, panel, agency) if method == "post" else None

    response = getattr(superuser_client, method)(f"/admin/{model}/add/", data)

    assert response.status_code == 403
    assert _grants(sysadmin) == before


@pytest.mark.parametrize("model", ACCESS_OBJECTS)
def test_superuser_sees_an_access_grant_read_only(
    superuser_client, sysadmin, dana, panel, agency, model
):
    make, _ = ACCESS_OBJECTS[model]
    obj = make(sysadmin, dana, panel, agency)

    response = superuser_client.get(f"/admin/{model}/{obj.pk}/change/")

    assert response.status_code == 200
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("model", ACCESS_OBJECTS)
def test_superuser_cannot_change_an_access_grant(
    superuser_client, sysadmin, dana, panel, agency, model
):
    make, template = ACCESS_OBJECTS[model]
    obj = make(sysadmin, dana, panel, agency)
    before = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    response = superuser_client.post(
        f"/admin/{model}/{obj.pk}/change/", _post_data(template, sysadmin, panel, agency)
    )

    assert response.status_code == 403
    obj.refresh_from_db()
    assert {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


@pytest.mark.parametrize("model", ACCESS_OBJECTS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_superuser_cannot_delete_an_access_grant(
    superuser_client, sysadmin, dana, panel, agency, model, method
):
    make, _ = ACCESS_OBJECTS[model]
    obj = make(sysadmin, dana, panel, agency)
    data = {"post": "yes"} if method == "post" else None

    response = getattr(superuser_client, method)(f"/admin/{model}/{obj.pk}/delete/", data)

    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()


# --- People: no flags, groups, permissions or passwords --------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_superuser_cannot_set_a_persons_password(superuser_client, dana, method):
    data = {"password1": "Taken-over-1234", "password2": "Taken-over-1234"}
    data = data if method == "post" else None

    response = getattr(superuser_client, method)(f"/admin/auth/user/{dana.pk}/password/", data)

    assert response.status_code in {403, 404}
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)
    assert not dana.check_password("Taken-over-1234")


def test_person_page_offers_no_flags_groups_permissions_or_password(superuser_client, dana):
    response = superuser_client.get(f"/admin/auth/user/{dana.pk}/change/")

    assert response.status_code == 200
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields <= {"first_name", "last_name", "email"}
    for name in ["is_superuser", "is_staff", "groups", "user_permissions", "password"]:
        assert f'name="{name}"'.encode() not in response.content
    assert b"/password/" not in response.content


@pytest.mark.parametrize("target", ["sysadmin", "dana"])
def test_superuser_cannot_tick_is_superuser_or_is_staff_or_grant_groups(
    superuser_client, sysadmin, dana, target
):
    someone = {"sysadmin": sysadmin, "dana": dana}[target]
    was_staff = someone.is_staff

    superuser_client.post(
        f"/admin/auth/user/{someone.pk}/change/",
        {
            "username": someone.username,
            "first_name": someone.first_name,
            "last_name": someone.last_name,
            "email": someone.email,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [someone.memberships.get().agency.permission_group_id],
            "user_permissions": [Permission.objects.get(codename="view_referral").pk],
        },
    )

    someone.refresh_from_db()
    assert not someone.is_superuser
    assert someone.is_staff == was_staff
    assert not someone.groups.exists()
    assert not someone.user_permissions.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_superuser_cannot_add_a_person(superuser_client, method):
    data = {"username": "newcomer", "password1": "Newcomer-1234", "password2": "Newcomer-1234"}

    response = getattr(superuser_client, method)(
        "/admin/auth/user/add/", data if method == "post" else None
    )

    assert response.status_code == 403
    assert not User.objects.filter(username="newcomer").exists()


def test_no_api_tokens_in_the_admin(superuser_client, dana):
    # A token minted for someone is a way to act as them; tokens are issued with
    # `manage.py api_token` on the server.
    assert superuser_client.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert superuser_client.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    assert superuser_client.get("/admin/referrals/apitoken/").status_code == 404
    assert superuser_client.get("/admin/referrals/apitoken/add/").status_code == 404


# --- Every admin save is audited -------------------------------------------------------------


def test_admin_change_writes_an_audit_event_with_the_changed_fields(
    superuser_client, superuser, dana
):
    response = superuser_client.post(
        f"/admin/auth/user/{dana.pk}/change/",
        {"first_name": dana.first_name, "last_name": "Harlow-Reed", "email": dana.email},
        REMOTE_ADDR="198.51.100.7",
    )

    assert response.status_code == 302
    event = AuditEvent.objects.get(action=AuditAction.CHANGED, object_type="auth.user")
    assert event.actor == superuser
    assert event.object_id == str(dana.pk)
    assert event.ip_address == "198.51.100.7"
    assert "last_name" in event.detail
    assert "first_name" not in event.detail


def test_admin_addition_writes_a_created_audit_event(superuser_client, superuser):
    response = superuser_client.post(
        "/admin/panels/panel/add/",
        {
            "name": "Missing children panel",
            "kind": PanelKind.EXPLOITATION,
            "quorum_agency_types": "[]",
            "cycle_time": "10:00",
            "item_target_minutes": "15",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    panel = Panel.objects.get(name="Missing children panel")
    event = AuditEvent.objects.get(action=AuditAction.CREATED, object_type="panels.panel")
    assert event.actor == superuser
    assert event.object_id == str(panel.pk)
    assert "name" in event.detail


def test_inline_additions_are_audited_with_their_parent(superuser_client, agency):
    response = superuser_client.post(
        f"/admin/agencies/agency/{agency.pk}/change/",
        {
            "name": "Fenmarsh Police",
            "agency_type": agency.agency_type,
            "ods_code": "",
            "urn": "",
            "teams-TOTAL_FORMS": "1",
            "teams-INITIAL_FORMS": "0",
            "teams-0-name": "Missing persons unit",
            "teams-0-agency": agency.pk,
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    changed = AuditEvent.objects.get(action=AuditAction.CHANGED, object_type="agencies.agency")
    assert "name" in changed.detail
    created = AuditEvent.objects.get(action=AuditAction.CREATED, object_type="agencies.team")
    assert created.object_id == str(agency.teams.get().pk)


def test_an_admin_save_whose_audit_row_fails_is_not_saved(superuser_client, dana, monkeypatch):
    from agencies import audit

    def broken_record(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(audit, "record", broken_record)

    with pytest.raises(RuntimeError):
        superuser_client.post(
            f"/admin/auth/user/{dana.pk}/change/",
            {"first_name": "Changed", "last_name": dana.last_name, "email": dana.email},
        )

    dana.refresh_from_db()
    assert dana.first_name != "Changed"


# --- The whole registry ----------------------------------------------------------------------


def _superuser_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_every_registered_model_admin_audits_its_saves_and_deletes_nothing(superuser):
    from agencies.admin_audit import BreakFixInline, BreakFixModelAdmin

    request = _superuser_request(superuser)
    assert admin.site._registry
    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, BreakFixModelAdmin), model
        assert not model_admin.has_delete_permission(request), model
        # An admin action would change rows without passing through the audited save.
        assert not model_admin.get_actions(request), model
        for inline in model_admin.get_inline_instances(request):
            assert isinstance(inline, BreakFixInline), (model, inline)
            assert not inline.has_delete_permission(request), (model, inline)


def test_access_models_are_read_only_or_absent_in_the_admin(superuser):
    from guardian.models import GroupObjectPermission, UserObjectPermission

    from referrals.models import (
        ApiToken,
        ReferralGroupObjectPermission,
        ReferralUserObjectPermission,
    )

    request = _superuser_request(superuser)
    for model in [
        Membership,
        PanelMembership,
        PanelOversight,
        Group,
        Permission,
        UserObjectPermission,
        GroupObjectPermission,
        ReferralUserObjectPermission,
        ReferralGroupObjectPermission,
        AuditEvent,
        ApiToken,
    ]:
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            continue
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model


def test_person_admin_edits_only_names_and_email(superuser, dana):
    model_admin = admin.site._registry[User]
    request = _superuser_request(superuser)

    form = model_admin.get_form(request, dana)

    assert set(form.base_fields) <= {"first_name", "last_name", "email"}
    assert not model_admin.has_add_permission(request)


# --- The demo --------------------------------------------------------------------------------


def test_demo_administrator_is_neither_staff_nor_superuser_and_is_refused(client, demo_borough):
    from agencies.demo import DEMO_PASSWORD

    administrator = User.objects.get(username="admin.fenmarsh")
    assert not administrator.is_staff
    assert not administrator.is_superuser

    client.login(username="admin.fenmarsh", password=DEMO_PASSWORD)
    assert client.get("/admin/").status_code == 403


def test_seeding_again_takes_the_admin_flags_off_a_demo_login(demo_borough):
    from agencies import demo

    User.objects.filter(username="admin.fenmarsh").update(is_staff=True, is_superuser=True)

    demo.seed_people()

    administrator = User.objects.get(username="admin.fenmarsh")
    assert (administrator.is_staff, administrator.is_superuser) == (False, False)
