"""axe-core on the documents' web pages ("twins"): the full minutes, the board copy, an
agency's extract, the draft preview and the action log, at 360 px and 1280 px, with names
in several scripts: no violation of any impact, no sideways scroll on a phone."""

import pytest

from panels import minutes as minutes_services
from panels.pdf.redaction import flag_key
from tests.browser.test_accessibility import AXE, check
from tests.browser.test_meeting_room import PASSWORD
from tests.documents.conftest import build_disguised_room

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_document_twins_pass_axe_and_fit_a_phone(
    transactional_db, browser, live_server_url, page, sign_in
):
    room = build_disguised_room()
    coordinator, chair = room.people["coordinator"], room.people["chair"]
    minutes = minutes_services.minutes_draft(actor=coordinator, meeting=room.meeting)
    minutes_services.minutes_submit(actor=coordinator, minutes=minutes)
    minutes.refresh_from_db()
    version = minutes_services.minutes_approve(
        actor=chair,
        minutes=minutes,
        revision=minutes.revision,
        confirmed_flags=[flag_key(f) for f in minutes_services.redaction_flags(minutes)],
    )
    meeting = room.meeting.pk
    police = room.agencies["police"].pk

    sign_in(page, chair.username, PASSWORD)
    problems = []
    for path in (
        f"/meetings/{meeting}/minutes/v{version.number}/minutes.html",
        f"/meetings/{meeting}/minutes/v{version.number}/board.html",
        f"/meetings/{meeting}/minutes/v{version.number}/agency/{police}.html",
        f"/meetings/{meeting}/minutes/preview/minutes.html",
        f"/panels/{room.panel.pk}/action-log.html",
    ):
        problems += check(page, path)  # serious or critical, and sideways scrolling
        problems += [f"{path}: {v}" for v in every_violation(page)]  # at 1280 px

    assert problems == []


def every_violation(page) -> list[str]:
    """Minor and moderate ones too (the shared helper reports serious and critical)."""
    page.evaluate(AXE)
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']}" for v in result["violations"]]
