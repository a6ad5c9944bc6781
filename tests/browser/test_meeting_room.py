"""The live meeting room in two real browsers against daphne: the chair's changes appear on a
member's screen without a reload, and a member whose connection drops catches up on what
was added while it was away."""

import re

import pytest
from playwright.sync_api import expect

from panels import services
from panels.models import AgendaItemKind
from tests.panels.conftest import build_room

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LONG = 20_000  # ms: a reconnect waits out its backoff (1 s, 2 s, 4 s... after a short cut)


class CuttableSocket:
    """Routes the page's meeting socket through Playwright, so a test can cut it (as a train
    going into a tunnel would) and let it come back."""

    def __init__(self, page):
        self.cut = False
        self.current = None
        page.route_web_socket(re.compile(r"/ws/meetings/"), self.handle)

    def handle(self, route):
        if self.cut:
            route.close(code=4000, reason="cut by the test")
            return
        route.connect_to_server()
        self.current = route

    def cut_now(self):
        self.cut = True
        if self.current is not None:
            self.current.close(code=4000, reason="cut by the test")

    def restore(self):
        self.cut = False


def open_room(page, sign_in, username, meeting):
    sign_in(page, username, PASSWORD)
    page.goto(f"/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("connection-state")).to_have_text("Live")


def add_action(page, item, text):
    section = page.locator(f'[data-item-id="{item.pk}"]')
    section.get_by_label("What is to be done").fill(text)
    section.get_by_label("Agency that owns it").select_option(label="Room Police")
    section.get_by_label("Day").fill("31")
    section.get_by_label("Month").fill("1")
    section.get_by_label("Year").fill("2099")
    section.get_by_role("button", name="Add action").click()


def test_a_member_follows_the_chair_live_and_catches_up_after_a_dropped_connection(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    room = build_room()
    services.meeting_start(actor=room.people["chair"], meeting=room.meeting)
    apologies = room.item(AgendaItemKind.APOLOGIES)
    member_context = browser.new_context(
        base_url=live_server_url, viewport={"width": 1280, "height": 900}
    )
    member_context.set_default_timeout(10_000)
    member = member_context.new_page()
    try:
        member_socket = CuttableSocket(member)
        open_room(page, sign_in, "room_chair", room.meeting)
        open_room(member, sign_in, "room_police", room.meeting)
        member.evaluate("window.stillTheSamePage = true")
        expect(member.get_by_test_id("current-item")).to_have_text(
            "1. Welcome and confidentiality statement"
        )

        # The chair moves on and records an action: the member's screen follows.
        page.get_by_test_id("chair-controls").get_by_role("button", name="Next item").click()
        expect(member.get_by_test_id("current-item")).to_have_text("2. Apologies")
        expect(member.locator(f'[data-item-id="{apologies.pk}"]')).to_have_class(
            re.compile(r"\bapp-item--current\b")
        )
        add_action(page, apologies, "Chase apologies from housing")
        member_actions = member.locator(f'[data-item-id="{apologies.pk}"] [data-testid=action]')
        expect(member_actions).to_have_count(1)
        expect(member_actions.first).to_contain_text("Chase apologies from housing")
        expect(member_actions.first).to_contain_text("Room Police")

        # The member's connection drops; meanwhile the chair adds another action.
        member_socket.cut_now()
        expect(member.get_by_test_id("connection-state")).to_have_text("Reconnecting")
        add_action(page, apologies, "Police to check the missing episodes")
        expect(page.locator(f'[data-item-id="{apologies.pk}"] [data-testid=action]')).to_have_count(
            2
        )
        member.wait_for_timeout(1500)  # stays cut across at least one reconnect attempt
        expect(member_actions).to_have_count(1)

        # The connection comes back: the member is sent what it missed.
        member_socket.restore()
        expect(member.get_by_test_id("connection-state")).to_have_text("Live", timeout=LONG)
        expect(member_actions).to_have_count(2)
        expect(member_actions.nth(1)).to_contain_text("Police to check the missing episodes")
        assert member.evaluate("window.stillTheSamePage") is True  # never reloaded
        member.screenshot(path="test-artifacts/meeting-room-member.png", full_page=True)
        assert csp_violations == []
    finally:
        member_context.close()
