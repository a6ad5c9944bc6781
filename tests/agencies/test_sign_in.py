import pytest
from django.utils.html import escape

from agencies.demo import DEMO_PASSWORD, PEOPLE
from tests.conftest import pass_second_factor_page


def test_wrong_password_shows_the_error_summary_without_saying_which_part_was_wrong(
    client, demo_borough
):
    response = client.post("/sign-in/", {"username": "sam.whitlock", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "_auth_user_id" not in client.session


def test_unknown_username_gets_the_same_message_as_a_wrong_password(client, demo_borough):
    wrong_password = client.post("/sign-in/", {"username": "sam.whitlock", "password": "x"})
    unknown_user = client.post("/sign-in/", {"username": "nobody.here", "password": "x"})

    assert "Enter a correct username and password" in unknown_user.content.decode()
    assert (
        wrong_password.context["form"].non_field_errors()
        == unknown_user.context["form"].non_field_errors()
    )


def test_empty_form_names_each_missing_field(client, db):
    html = client.post("/sign-in/", {"username": "", "password": ""}).content.decode()

    assert "Enter your username" in html
    assert "Enter your password" in html


def test_home_page_requires_sign_in(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: p.username)
def test_each_demo_login_reaches_its_home_page_with_name_agency_and_roles(
    client, demo_borough, person
):
    password = client.post(
        "/sign-in/", {"username": person.username, "password": DEMO_PASSWORD}, follow=True
    )
    response = pass_second_factor_page(client, demo_borough["people"][person.username], follow=True)

    html = response.content.decode()
    assert password.redirect_chain[-1][0] == "/sign-in/second-factor/?next=%2F"
    assert response.redirect_chain[-1][0] == "/"
    assert f"{person.first_name} {person.last_name}" in html
    for membership in response.context["memberships"]:
        assert escape(membership.agency.name) in html
        assert membership.get_role_display() in html


def test_sign_out_ends_the_session(client, demo_borough):
    client.login(username="sam.whitlock", password=DEMO_PASSWORD)

    client.post("/sign-out/")

    assert client.get("/").status_code == 302
