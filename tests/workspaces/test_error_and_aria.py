"""One error pattern on the forms the issue named, and radios whose ARIA points only at what
exists."""

import re

from django.urls import reverse

from panels.action_views import ActionUpdateForm


def test_a_radio_names_only_a_question_that_exists_and_carries_no_aria_expanded(client, borough):
    client.force_login(borough["referrer"])

    html = client.get(reverse("referrals:new")).content.decode()

    assert "aria-expanded" not in html
    for target in re.findall(r'(?:aria-controls|data-app-reveals)="([^"]+)"', html):
        if target == "app-sections":  # the service navigation's menu
            continue
        assert f'id="{target}"' in html, target


def test_the_action_update_error_links_to_the_first_radio(db):
    from django.template import Context, Template

    form = ActionUpdateForm({"status": ""})
    form.is_valid()

    html = Template(
        '{% load crispy_forms_tags %}{% include "includes/error_summary.html" %}{% crispy form %}'
    ).render(Context({"form": form}))

    link = re.search(r'<a href="#([^"]+)">Choose the action', html).group(1)
    assert f'id="{link}"' in html


def test_an_empty_find_on_the_audit_page_says_what_to_enter(client, borough):
    client.force_login(borough["dpo"])

    response = client.get(reverse("referrals:audit-lookup"), {"reference": ""})

    html = response.content.decode()
    assert "<title>Error: " in html
    assert "There is a problem" in html
    assert 'href="#id_reference">Enter a referral reference' in html


def test_an_unknown_reference_is_an_error_beside_its_input(client, borough):
    client.force_login(borough["dpo"])

    response = client.get(reverse("referrals:audit-lookup"), {"reference": "NOPE-1"})

    assert b"There is no referral with that reference" in response.content
