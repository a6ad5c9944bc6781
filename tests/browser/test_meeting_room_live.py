"""A meeting run from start to close in two real browsers (the chair's and a member's) against
daphne: every change (the start, the agenda reordered, each next item, the close) reaches both
screens without a reload and is said in the room's aria-live region; what the chair is typing
survives a change of the agenda; the room fits a 360-px phone, passes axe-core (WCAG 2.2 AA
tags) for the chair and the member, and so does the page that confirms closing. Screenshots of
the room at 360×800 and 1280×800, as the chair and as a member, go to
test-artifacts/screenshots/.

The same tests run on SQLite with the in-memory channel layer and, with DATABASE_URL and
REDIS_URL set (.ci/run's second pass), on PostgreSQL with channels-redis: the daphne serving
them gets this process's test database and REDIS_URL (tests/browser/conftest.py)."""

import json
import os
import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from panels.models import Action, AgendaItemKind, MeetingStatus
from tests.browser.test_workspaces import axe_violations
from tests.panels.conftest import build_room

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1280, "height": 800}
MARKER = "window.__noReload"


class Watch:
    """What went wrong on a page: server errors answered to it, and uncaught script errors."""

    def __init__(self, page, name):
        self.problems = []
        page.on(
            "response",
            lambda r: r.status >= 500 and self.problems.append(f"{name}: {r.status} {r.url}"),
        )
        page.on("pageerror", lambda error: self.problems.append(f"{name}: script error {error}"))


def open_room(page, sign_in, username, meeting):
    sign_in(page, username, PASSWORD)
    page.goto(f"/meetings/{meeting.pk}/")
    expect(page.get_by_test_id("connection-state")).to_have_text("Live")
    page.evaluate(f"{MARKER} = 1")


def item(page, agenda_item):
    return page.locator(f'[data-item-id="{agenda_item.pk}"]')


def open_forms(page, agenda_item):
    """Open an item the agenda shows collapsed, and its forms."""
    section = item(page, agenda_item)
    if section.evaluate("node => node.tagName") == "DETAILS":
        section.evaluate("node => { node.open = true; }")
    section.locator("[data-role=item-forms]").evaluate("node => { node.open = true; }")
    return section


def press_in_forms(page, agenda_item, name: str) -> None:
    """Open the item's forms and press a button in them. A live refresh still on its way
    from the previous change may put the item back as the server drew it (forms folded)
    between the opening and the press, as it would under a person's pointer: open again."""
    for _ in range(3):
        button = open_forms(page, agenda_item).get_by_role("button", name=name)
        try:
            expect(button).to_be_visible(timeout=3000)
            button.click(timeout=3000)
            return
        except (AssertionError, PlaywrightTimeoutError):
            continue
    raise AssertionError(f"{name!r} of item {agenda_item.pk} could not be pressed")


def check_phone_and_axe(page, who: str) -> list[str]:
    """At 360 and 1280 px: nothing wider than the window, no axe violation; screenshots."""
    problems = []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, size in (("360", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(size)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > size["width"]:
            problems.append(f"{who}'s room is {width}px wide at {size['width']}px")
        side = page.locator("[data-region=agenda-side]")
        phone = page.locator("[data-region=agenda-phone]")
        if label == "360":
            expect(side).to_be_hidden()
            expect(phone.locator("summary")).to_be_visible()
        else:
            expect(side).to_be_visible()
            expect(phone).to_be_hidden()
        problems += [f"{who} at {label}px: {v}" for v in axe_violations(page)]
        page.screenshot(path=SCREENSHOTS / f"meeting-room-{who}-{label}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    return problems


def test_chair_and_member_run_a_meeting_from_start_to_close_live_without_a_reload(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    room = build_room()
    case_one, case_two = room.cases
    member_context = browser.new_context(
        base_url=live_server_url, viewport={"width": 1280, "height": 900}
    )
    member_context.set_default_timeout(10_000)
    member = member_context.new_page()
    watches = [Watch(page, "chair"), Watch(member, "member")]
    try:
        open_room(page, sign_in, "room_chair", room.meeting)
        open_room(member, sign_in, "room_police", room.meeting)
        said = member.get_by_test_id("announcement")
        chair_said = page.get_by_test_id("announcement")
        expect(member.get_by_test_id("current-item")).to_have_text("The meeting has not started")
        expect(said).to_have_attribute("aria-live", "polite")
        expect(said).to_have_attribute("role", "status")

        # The chair starts the meeting: both screens show it, the member is told.
        page.get_by_test_id("chair-controls").get_by_role(
            "button", name="Start the meeting"
        ).click()
        expect(said).to_have_text(
            "The meeting has started. Item 1 is now being discussed: "
            "Welcome and confidentiality statement"
        )
        expect(member.get_by_test_id("meeting-status")).to_have_text("In progress")
        expect(member.get_by_test_id("current-item")).to_have_text(
            "1. Welcome and confidentiality statement"
        )
        expect(
            page.get_by_test_id("chair-controls").get_by_role("button", name="Next item")
        ).to_be_visible()
        expect(chair_said).to_contain_text("The meeting has started.")

        # Attendance, recorded by the chair, shows on the member's screen.
        police = room.people["police"]
        form = page.locator(f'.app-attendance-person[data-person-id="{police.pk}"]')
        form.get_by_label("Attendance").select_option(label="Present")
        form.get_by_role("button", name="Save").click()
        expect(
            member.locator(f'[data-testid=attendance] [data-person-id="{police.pk}"]')
        ).to_contain_text("Present")
        expect(said).to_have_text(re.compile(r"Attendance of .*: Present\."))

        # The chair moves the second case up: the agenda is reordered on both screens.
        press_in_forms(page, case_two, "Move up")
        expect(said).to_have_text("The agenda has been reordered.")
        titles = member.locator("[data-region=items] [data-item-id]")
        expect(titles.nth(3)).to_have_attribute("data-title", "4. Case ROOM-0002")
        expect(titles.nth(4)).to_have_attribute("data-title", "5. Case ROOM-0001")

        # The phone and the desktop, for both, mid-meeting (the chair's forms all there).
        problems = check_phone_and_axe(page, "chair") + check_phone_and_axe(member, "member")

        # Through every item; at the first case, the chair is typing an action when the
        # agenda changes: what they typed stays, and they are told.
        order = [
            (2, "Apologies", room.item(AgendaItemKind.APOLOGIES)),
            (
                3,
                "Minutes and actions of the last meeting",
                room.item(AgendaItemKind.PREVIOUS_MINUTES),
            ),
            (4, "Case ROOM-0002", case_two),
            (5, "Case ROOM-0001", case_one),
        ]
        for number, title, agenda_item in order:
            page.get_by_test_id("chair-controls").get_by_role("button", name="Next item").click()
            expect(said).to_have_text(f"Item {number} is now being discussed: {title}.")
            now = member.get_by_test_id("current-item")
            expect(now).to_have_text(f"{number}. {title}")
            expect(now).to_have_attribute("href", f"#item-{agenda_item.pk}")
            expect(item(member, agenda_item)).to_have_class(re.compile(r"\bapp-item--current\b"))
            # Earlier items are collapsed.
            expect(member.locator("details.app-item--earlier[open]")).to_have_count(0)
            if agenda_item == case_two:
                current = item(page, case_two)
                current.get_by_label("What is to be done").fill("Police to visit the park")
                current.get_by_label("Day").fill("31")
                # Another item's form, the agenda changes while the text is unsaved.
                press_in_forms(page, case_one, "Move up")
                expect(chair_said).to_have_text("The agenda has been reordered.")
                expect(current.get_by_label("What is to be done")).to_have_value(
                    "Police to visit the park"
                )
                expect(current.locator(".app-form-note")).to_contain_text("What you typed is kept")
                # Now save it, with an incomplete date first: the GOV.UK error pattern.
                current.get_by_role("button", name="Add action").click()
                expect(current.locator(".govuk-error-summary")).to_contain_text(
                    "Due date must include a month and a year"
                )
                assert page.title().startswith("Error: ")
                current.locator("[data-command=add_action]").screenshot(
                    path=SCREENSHOTS.parent / "meeting-room-action-error.png"
                )
                current.get_by_label("Month").fill("1")
                current.get_by_label("Year").fill("2099")
                current.get_by_role("button", name="Add action").click()
                member_actions = item(member, case_two).locator("[data-testid=action]")
                expect(member_actions).to_have_count(1)
                expect(member_actions.first).to_contain_text("Police to visit the park")
                expect(member_actions.first).to_contain_text("31 January 2099")
                expect(current.locator(".govuk-error-summary")).to_have_count(0)
                assert not page.title().startswith("Error: ")
                # The move held back on the chair's screen is shown now it is saved.
                expect(member.get_by_test_id("current-item")).to_have_text("5. Case ROOM-0002")
                expect(page.get_by_test_id("current-item")).to_have_text("5. Case ROOM-0002")
                break

        # Item 4 (ROOM-0001) was moved above the current item: go back to it, then on to 5.
        press_in_forms(page, case_one, "Go to this item")
        expect(said).to_have_text("Item 4 is now being discussed: Case ROOM-0001.")
        page.get_by_test_id("chair-controls").get_by_role("button", name="Next item").click()
        expect(said).to_have_text("Item 5 is now being discussed: Case ROOM-0002.")
        expect(page.get_by_test_id("last-item")).to_contain_text("This is the last item")

        # Closing: a confirmation page (in another tab: the room stays open), which warns.
        confirm = page.context.new_page()
        watches.append(Watch(confirm, "close page"))
        confirm.goto(f"/meetings/{room.meeting.pk}/close/")
        expect(confirm.get_by_test_id("not-quorate-warning")).to_contain_text("not quorate")
        expect(confirm.get_by_test_id("attendance-warning")).to_contain_text(
            re.compile(r"Attendance is not recorded for \d+ people")
        )
        for label, size in (("360", PHONE), ("1280", DESKTOP)):
            confirm.set_viewport_size(size)
            width = confirm.evaluate("document.documentElement.scrollWidth")
            if width > size["width"]:
                problems.append(f"the close page is {width}px wide at {size['width']}px")
            problems += [f"close page at {label}px: {v}" for v in axe_violations(confirm)]
            confirm.screenshot(
                path=SCREENSHOTS / f"meeting-close-confirm-{label}.png", full_page=True
            )
        confirm.get_by_role("button", name="Close the meeting").click()
        expect(confirm.get_by_test_id("meeting-status")).to_have_text("Closed")

        for screen in (page, member):
            expect(screen.get_by_test_id("announcement")).to_have_text(
                "The meeting has been closed."
            )
            expect(screen.get_by_test_id("meeting-status")).to_have_text("Closed")
            expect(screen.get_by_test_id("current-item")).to_have_text("The meeting is closed")
            assert screen.evaluate(MARKER) == 1, "the page was reloaded"
        expect(page.get_by_test_id("chair-controls")).to_have_count(0)
        room.meeting.refresh_from_db()
        assert room.meeting.status == MeetingStatus.CLOSED
        assert Action.objects.filter(meeting=room.meeting).count() == 1
        assert problems == [], "\n".join(problems)
        assert [p for watch in watches for p in watch.problems] == []
        assert csp_violations == []
    finally:
        member_context.close()


AHEAD_OF_THE_SERVER = """
new MutationObserver((changes, observer) => {
  const room = document.getElementById("meeting-room");
  if (room) {
    room.dataset.lastSeq = "999999";
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""


def test_the_live_server_uses_the_channel_layer_this_run_was_given(live_server_url):
    # So that "passed on PostgreSQL with Redis" means the rooms above really went through
    # channels-redis, not a daphne that fell back to the in-memory layer.
    with urllib.request.urlopen(f"{live_server_url}/healthz", timeout=5) as response:
        checks = json.load(response)["checks"]

    expected = "redis" if os.environ.get("REDIS_URL") else "in-memory"
    assert checks["channel layer"] == {"ok": True, "detail": expected}


def test_a_room_too_far_behind_is_brought_up_to_date_in_place_not_reloaded(
    transactional_db, browser, live_server_url, page, sign_in
):
    """The server answers "reload" to a page whose count of events it cannot replay (here one
    ahead of it, as after a restore; too far behind is answered the same): the page fetches
    the room's live part instead of reloading, takes the server's count from it, and goes on
    receiving events live."""
    room = build_room()
    watches = [Watch(page, "member")]

    # The room as a page that believes it is ahead of the server: its count of events is
    # changed as the page is parsed, before meeting.js reads it. (Not by serving an altered
    # page through page.route: Chromium then blocks its sockets to 127.0.0.1 as a public
    # page's reach into the local network.)
    page.add_init_script(AHEAD_OF_THE_SERVER)
    open_room(page, sign_in, "room_police", room.meeting)
    said = page.get_by_test_id("announcement")
    expect(said).to_have_text("This page has been brought up to date.")
    real = str(room.meeting.last_seq)
    expect(page.locator("#meeting-room")).to_have_attribute("data-last-seq", real)

    chair_context = browser.new_context(
        base_url=live_server_url, viewport={"width": 1280, "height": 900}
    )
    chair_context.set_default_timeout(10_000)
    try:
        chair = chair_context.new_page()
        open_room(chair, sign_in, "room_chair", room.meeting)
        chair.get_by_test_id("chair-controls").get_by_role(
            "button", name="Start the meeting"
        ).click()

        expect(said).to_contain_text("The meeting has started.")
        expect(page.get_by_test_id("meeting-status")).to_have_text("In progress")
        assert page.evaluate(MARKER) == 1, "the page was reloaded"
        room.meeting.refresh_from_db()
        expect(page.locator("#meeting-room")).to_have_attribute(
            "data-last-seq", str(room.meeting.last_seq)
        )
        assert [p for watch in watches for p in watch.problems] == []
    finally:
        chair_context.close()
