"""An action assigned in the meeting room raises its owner's unread count, live, on a page
the owner has open in another browser."""

import pytest
from playwright.sync_api import expect

from panels import services
from tests.browser.test_meeting_room import PASSWORD, open_room
from tests.panels.conftest import build_room

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_an_action_assigned_in_the_meeting_room_raises_the_owners_unread_count_live(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    room = build_room()
    services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
    case_item = room.meeting.agenda_items.filter(referral__isnull=False).first()
    services.meeting_go_to_item(
        actor=room.people["chair"], meeting=room.meeting, item_id=case_item.pk
    )
    owner = room.people["police"]
    owner_context = browser.new_context(base_url=live_server_url)
    owner_context.set_default_timeout(10_000)
    owner_page = owner_context.new_page()
    try:
        sign_in(owner_page, owner.username, PASSWORD)
        owner_page.goto("/notifications/")
        badge = owner_page.locator("[data-unread-count]")
        expect(badge).to_have_text("0")

        open_room(page, sign_in, room.people["chair"].username, room.meeting)
        section = page.locator(f'[data-item-id="{case_item.pk}"]')
        section.get_by_label("What is to be done").fill("Police to check the missing episodes")
        section.get_by_label("Agency that owns it").select_option(label="Room Police")
        section.get_by_label("Person who owns it (optional)").select_option(value=str(owner.pk))
        # The due date is a GOV.UK date input: day, month and year.
        section.get_by_label("Day").fill("31")
        section.get_by_label("Month").fill("1")
        section.get_by_label("Year").fill("2099")
        section.get_by_role("button", name="Add action").click()

        expect(badge).to_have_text("1")
        owner_page.screenshot(path="test-artifacts/action-owner-unread.png")
    finally:
        owner_context.close()
    assert csp_violations == []
