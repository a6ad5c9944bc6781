"""The demo borough's missing children and intelligence, as seed_demo loads them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from intelligence import selectors as intelligence_selectors
from intelligence.models import Subject
from missing.models import ChildFlag, InterviewOutcome, MissingEpisode, ReturnInterview
from panels.models import AgendaItem, AgendaItemKind, PanelKind


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_the_demo_has_every_kind_of_episode_and_a_network_across_two_agencies():
    call_command("seed_demo", "--quiet-logins")
    call_command("seed_demo", "--quiet-logins")

    assert MissingEpisode.objects.count() == 5
    assert MissingEpisode.objects.filter(returned_at__isnull=True).exists()
    interviews = list(ReturnInterview.objects.all())
    assert any(i.held_at and i.held_in_time for i in interviews)
    assert any(i.held_at and not i.held_in_time for i in interviews)
    assert any(i.outcome == InterviewOutcome.DECLINED for i in interviews)
    assert any(i.is_open for i in interviews)
    assert ChildFlag.objects.filter(reason="repeated").exists()
    for name in ("Dex Varrow", "The Gull's Rest Hotel"):
        subject = Subject.objects.get(name=name)
        links = subject.links.select_related("referral")
        assert len({link.child_id for link in links}) == 3
        assert len({link.referral.agency_id for link in links}) == 2
    chair = get_user_model().objects.get(username="sam.whitlock")
    panel = Subject.objects.get(name="Dex Varrow").discussions.get().panel
    network = intelligence_selectors.panel_network(user=chair, panel=panel)
    assert network.rows
    # The hotel is a theme on the exploitation panel's next agenda, listed once (the seed runs
    # twice).
    hotel = Subject.objects.get(name="The Gull's Rest Hotel")
    themes = AgendaItem.objects.filter(kind=AgendaItemKind.THEME, subject=hotel)
    assert themes.count() == 1
    assert themes.get().meeting.panel.kind == PanelKind.EXPLOITATION
