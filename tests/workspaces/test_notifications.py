"""Notifications are read when opened, done when their task is done, and their links say what
they open."""

from django.urls import reverse

from notifications import services
from notifications.models import Notification, NotificationKind
from tests.factories import UserFactory


def notification_for(user, **fields) -> Notification:
    values = {
        "kind": NotificationKind.MINUTES_FOR_APPROVAL,
        "message": "The minutes of MASH on 1 May wait for your approval.",
        "link": "/meetings/7/minutes/",
    }
    values.update(fields)
    return Notification.objects.create(recipient=user, **values)


def test_opening_a_notification_marks_it_read_and_goes_where_it_points(client, db):
    person = UserFactory()
    notification = notification_for(person)
    client.force_login(person)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == "/meetings/7/minutes/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_opens_someone_elses_notification(client, db):
    notification = notification_for(UserFactory())
    client.force_login(UserFactory())

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_a_finished_task_marks_its_notifications_done_and_read(db):
    chair, other_chair = UserFactory(), UserFactory()
    asked = [notification_for(chair), notification_for(other_chair)]
    elsewhere = notification_for(chair, link="/meetings/8/minutes/")

    services.notifications_mark_done(
        kinds=[NotificationKind.MINUTES_FOR_APPROVAL], link="/meetings/7/minutes/"
    )

    for notification in asked:
        notification.refresh_from_db()
        assert notification.done_at is not None
        assert notification.read_at is not None
    elsewhere.refresh_from_db()
    assert elsewhere.done_at is None
    assert services.unread_count(user=chair) == 1


def test_links_name_what_they_open_never_just_open(client, db):
    person = UserFactory()
    notification_for(person)
    notification_for(person, kind=NotificationKind.ACTION_OVERDUE, link="/actions/12/")
    client.force_login(person)

    response = client.get(reverse("notifications:list"))

    content = response.content.decode()
    assert "Go to the minutes to approve" in content
    assert "Go to action 12" in content
    assert ">Open<" not in content
    assert "(2 unread)" in content
