"""A person changes their own password, or resets a forgotten one with a one-time emailed
link (issue 14: there was no way to do either)."""

import re
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from agencies.models import AuditAction, AuditEvent, Role
from agencies.password_reset import ResetLinkTokenGenerator
from tests.factories import AgencyFactory, person

PASSWORD = "correct-horse-battery"
NEW_PASSWORD = "kestrel-lantern-harbour-19"


@pytest.fixture
def dana(db):
    return person(
        Role.REFERRER,
        AgencyFactory(name="Fenmarsh Constabulary"),
        username="dana.harlow",
        email="dana.harlow@fenmarsh.example",
    )


# --- Change ------------------------------------------------------------------------------


def change(client, old=PASSWORD, new=NEW_PASSWORD, again=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new, "new_password2": again or new},
        REMOTE_ADDR="10.0.0.3",
    )


def test_a_signed_in_person_changes_their_password_and_stays_signed_in(client, dana):
    client.force_login(dana)

    response = change(client)

    assert response.status_code == 302
    assert response["Location"] == "/account/password/done/"
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200  # this session still signs them in


def test_a_password_change_is_audited(client, dana):
    client.force_login(dana)

    change(client)

    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_CHANGED)
    assert event.actor == dana
    assert event.object_id == str(dana.pk)
    assert event.ip_address == "10.0.0.3"


def test_a_password_change_ends_the_persons_other_sessions(client, dana):
    elsewhere = Client()
    elsewhere.force_login(dana)
    client.force_login(dana)

    change(client)

    assert elsewhere.get("/").status_code == 302


def test_the_wrong_current_password_changes_nothing(client, dana):
    client.force_login(dana)

    response = change(client, old="not-my-password")

    assert "Your current password is not right" in response.content.decode()
    dana.refresh_from_db()
    assert dana.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).exists()


def test_a_short_new_password_is_refused(client, dana):
    client.force_login(dana)

    response = change(client, new="short-pw-1")

    assert "at least 12 characters" in response.content.decode()


def test_changing_a_password_needs_sign_in(client, db):
    assert client.get("/account/password/")["Location"].startswith("/sign-in/")


# --- Reset by email ----------------------------------------------------------------------


def ask_for_reset(client, email):
    return client.post("/password-reset/", {"email": email}, follow=True)


def emailed_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://\S+/password-reset/\S+/", message.body).group(0)


def test_the_reset_page_says_the_same_for_a_known_and_an_unknown_address(client, dana):
    known = ask_for_reset(client, "dana.harlow@fenmarsh.example")
    unknown = ask_for_reset(client, "nobody@fenmarsh.example")

    assert known.redirect_chain == unknown.redirect_chain == [("/password-reset/sent/", 302)]
    assert known.content == unknown.content
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["dana.harlow@fenmarsh.example"]


def test_the_emailed_link_sets_a_new_password_once(client, dana, settings):
    settings.SITE_URL = "https://panels.example.org"
    ask_for_reset(client, "dana.harlow@fenmarsh.example")
    link = emailed_link()
    assert link.startswith("https://panels.example.org/password-reset/")
    path = link.removeprefix("https://panels.example.org")

    form_page = client.get(path, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        REMOTE_ADDR="10.0.0.4",
    )

    assert done["Location"] == "/password-reset/done/"
    dana.refresh_from_db()
    assert dana.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action=AuditAction.PASSWORD_RESET)
    assert event.object_id == str(dana.pk)
    assert event.ip_address == "10.0.0.4"
    again = client.get(path, follow=True).content.decode()
    assert "This link does not work" in again


def test_the_emailed_link_works_for_an_hour_only(client, dana, settings):
    settings.PASSWORD_RESET_LINK_MINUTES = 60
    ask_for_reset(client, "dana.harlow@fenmarsh.example")
    path = "/" + emailed_link().split("/", 3)[3]

    def opened_after(minutes: int) -> str:
        later = datetime.now() + timedelta(minutes=minutes)
        with mock.patch.object(ResetLinkTokenGenerator, "_now", return_value=later):
            return client.get(path, follow=True).content.decode()

    assert "Choose a new password" in opened_after(59)
    assert "This link does not work" in opened_after(61)


def test_a_new_persons_set_password_link_does_not_work_as_a_reset_link(client, dana):
    from agencies.services import password_set_link

    token_path = password_set_link(dana).split("/set-password/")[1]

    response = client.get(f"/password-reset/{token_path}", follow=True)

    assert "This link does not work" in response.content.decode()
