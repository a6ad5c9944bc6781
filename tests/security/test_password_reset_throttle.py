"""The "email me a link" form cannot be used to flood a person's inbox or to try addresses
at will: a few links per address an hour, a bounded number of requests per client address an
hour. Beyond either, the page says exactly what it always says (nothing to learn from it), and
no email goes; the tally, shared by every process, shows it happened."""

import pytest
from django.core import mail
from django.test import override_settings

from agencies.models import PasswordResetRequestCount, Role
from tests.factories import AgencyFactory, person


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Fenmarsh Constabulary")


def ask(client, email, address="10.0.0.7"):
    return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=address)


@override_settings(PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR=3)
def test_a_fourth_link_in_an_hour_for_one_address_is_not_sent(client, agency):
    person(Role.REFERRER, agency, username="dana.harlow", email="dana.harlow@fenmarsh.example")

    answers = [ask(client, "dana.harlow@fenmarsh.example", f"10.0.0.{n}") for n in range(4)]

    assert [a.status_code for a in answers] == [302] * 4
    assert {a["Location"] for a in answers} == {"/password-reset/sent/"}
    assert len(mail.outbox) == 3


@override_settings(PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR=3)
def test_the_limit_counts_the_address_however_it_is_written(client, agency):
    person(Role.REFERRER, agency, username="dana.harlow", email="dana.harlow@fenmarsh.example")

    for email in ["dana.harlow@fenmarsh.example", "Dana.Harlow@Fenmarsh.Example"] * 2:
        ask(client, email)

    assert len(mail.outbox) == 3


@override_settings(PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR=5)
def test_one_client_address_trying_many_email_addresses_is_slowed(client, agency):
    for n in range(7):
        person(Role.REFERRER, agency, username=f"p{n}", email=f"p{n}@fenmarsh.example")

    answers = [ask(client, f"p{n}@fenmarsh.example") for n in range(7)]

    assert {a["Location"] for a in answers} == {"/password-reset/sent/"}
    assert len(mail.outbox) == 5
    tally = PasswordResetRequestCount.objects.get(key="client:10.0.0.7")
    assert (tally.count, tally.throttled) == (7, 2)


def test_the_tally_keeps_no_email_address_in_clear(client, agency):
    ask(client, "someone.unknown@fenmarsh.example")

    keys = list(PasswordResetRequestCount.objects.values_list("key", flat=True))
    assert "client:10.0.0.7" in keys
    assert not any("someone.unknown" in key for key in keys)
