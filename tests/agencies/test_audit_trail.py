import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from agencies.models import AuditAction, AuditEvent
from referrals import services as referral_services


def events(world, **filters):
    return AuditEvent.objects.filter(referral=world.referral, **filters)


def test_reading_a_referral_records_who_when_and_from_where(client, world):
    client.force_login(world.people["lead_a"])

    client.get(f"/referrals/{world.referral.pk}/", REMOTE_ADDR="10.1.2.3")

    event = events(world, action=AuditAction.VIEWED).get()
    assert event.actor == world.people["lead_a"]
    assert event.actor_agency == world.agencies["a"]
    assert event.ip_address == "10.1.2.3"
    assert event.child == world.referral.child


def test_auditor_sees_a_reason_form_and_no_case_content_until_a_reason_is_given(client, world):
    client.force_login(world.people["auditor"])

    response = client.get(f"/referrals/{world.referral.pk}/")

    assert "Give your reason" in response.content.decode()
    assert world.referral.concern not in response.content.decode()
    assert not events(world, action=AuditAction.VIEWED).exists()


def test_auditor_reason_is_recorded_with_each_view(client, world):
    client.force_login(world.people["auditor"])

    first = client.post(f"/referrals/{world.referral.pk}/", {"reason": "Monthly case audit"})
    client.post(f"/referrals/{world.referral.pk}/", {"reason": "Follow-up on panel decision"})

    assert world.referral.concern in first.content.decode()
    reasons = list(
        events(world, action=AuditAction.VIEWED).order_by("at").values_list("reason", flat=True)
    )
    assert reasons == ["Monthly case audit", "Follow-up on panel decision"]


def test_auditor_without_a_reason_is_asked_again_and_nothing_is_shown(client, world):
    client.force_login(world.people["auditor"])

    response = client.post(f"/referrals/{world.referral.pk}/", {"reason": "  "})

    assert "Enter the reason you are reading this case" in response.content.decode()
    assert world.referral.concern not in response.content.decode()


@pytest.mark.parametrize(
    ("position", "path", "status"),
    [
        ("lead_c", "/referrals/{pk}/", 404),
        ("member_q", "/referrals/{pk}/", 404),
        ("member_p", "/referrals/{pk}/share/", 403),
        ("referrer_a", "/referrals/{pk}/audit/", 403),
    ],
)
def test_every_refusal_is_audited(client, world, position, path, status):
    client.force_login(world.people[position])

    response = client.get(path.format(pk=world.referral.pk))

    assert response.status_code == status
    refusal = events(world, action=AuditAction.REFUSED).get()
    assert refusal.actor == world.people[position]
    assert refusal.detail == f"GET {path.format(pk=world.referral.pk)}"


def test_a_refusal_for_a_missing_referral_is_audited_without_naming_one(client, world):
    client.force_login(world.people["lead_c"])

    assert client.get("/referrals/999999/").status_code == 404

    refusal = AuditEvent.objects.get(action=AuditAction.REFUSED)
    assert refusal.referral is None
    assert refusal.object_id == "999999"


def test_audit_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = AuditEvent.objects.filter(referral=world.referral).first()
    event.reason = "rewritten"

    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.reason != "rewritten"


def test_audit_events_cannot_be_changed_or_deleted_through_the_admin(admin_client, world):
    event = AuditEvent.objects.filter(referral=world.referral).first()

    change = admin_client.post(
        f"/admin/agencies/auditevent/{event.pk}/change/", {"reason": "rewritten"}
    )
    delete = admin_client.post(f"/admin/agencies/auditevent/{event.pk}/delete/", {"post": "yes"})
    add = admin_client.get("/admin/agencies/auditevent/add/")

    assert change.status_code == 403
    assert delete.status_code == 403
    assert add.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, reason=event.reason).exists()


@pytest.mark.postgres
def test_postgresql_refuses_raw_update_and_delete_of_audit_rows(world):
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only (the PostgreSQL CI pass)")
    event = AuditEvent.objects.filter(referral=world.referral).first()

    for statement in (
        "UPDATE agencies_auditevent SET reason = 'rewritten' WHERE id = %s",
        "DELETE FROM agencies_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_change_that_fails_leaves_no_audit_row_and_an_audit_failure_leaves_no_change(
    world, monkeypatch
):
    before = AuditEvent.objects.count()
    shares_before = world.referral.shares.count()

    def fail(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(referral_services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        referral_services.referral_share(
            actor=world.people["lead_a"],
            referral=world.referral,
            agency=world.agencies["c"],
            reason="Needs school information.",
        )

    assert AuditEvent.objects.count() == before
    assert world.referral.shares.count() == shares_before
