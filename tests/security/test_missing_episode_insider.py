"""An insider with a valid login at another agency cannot read a police missing episode on
any door: the page, the API or the CSV export. (The access matrix covers every role; this is
the finding-shaped case: a real person, signed in, at the wrong agency.)"""

from django.urls import reverse

from tests.missing.conftest import a_child, at, borough, report  # noqa: F401 - the fixture

__all__ = ["borough"]


def test_a_school_lead_is_refused_a_police_episode_on_every_door(client, borough):
    episode = report(borough["officer"], borough["police"], since=at(2026, 3, 2), child=a_child())
    client.force_login(borough["school_lead"])

    page = client.get(reverse("missing:detail", args=[episode.pk]))
    api = client.get(f"/api/v1/missing-episodes/{episode.pk}/")
    export = client.get(reverse("missing:export"))

    assert page.status_code == 404
    assert api.status_code == 404
    assert b"Kestrel" not in page.content + api.content + export.content
