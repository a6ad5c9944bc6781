"""The chair approves the minutes in one browser, and a board member signed in elsewhere
downloads the board copy: the very bytes that were approved, with no child named in them."""

import hashlib
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from agencies.models import AuditAction, AuditEvent
from panels import minutes as minutes_services
from panels.models import DocumentKind, MinutesDocument
from tests.browser.test_accessibility import serious_violations
from tests.browser.test_meeting_room import PASSWORD
from tests.panels.test_minutes import CHILD_FIRST, CHILD_LAST, build_minuted_room

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ARTIFACTS = Path("test-artifacts")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
RENDERING = 20_000  # ms: the test server renders the PDFs in the approval ("inline")


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def assert_fits_a_phone(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE["width"] + 1, (
        f"{page.url} scrolls sideways on a phone: {scroll_width}px wide in a "
        f"{PHONE['width']}px viewport"
    )


def record_csp_violations(page, violations: list[str]) -> None:
    """The csp_violations fixture listens to `page` only: listen to another page the same way."""

    def record(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", record)


def test_the_chair_approves_the_minutes_and_a_board_member_downloads_the_board_copy(
    transactional_db, browser, live_server_url, page, csp_violations, sign_in
):
    room = build_minuted_room()
    chair, board = room.people["chair"], room.people["board"]
    reference = room.referrals[0].reference
    minutes = minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes_page = f"/meetings/{room.meeting.pk}/minutes/"
    ARTIFACTS.mkdir(exist_ok=True)

    # (1) The chair reads the draft, and its redaction report, and approves it.
    sign_in(page, chair.username, PASSWORD)
    page.goto(minutes_page)
    expect(page.get_by_test_id("minutes-status")).to_have_text("Waiting for the chair's approval")
    expect(page.get_by_role("heading", name="Draft of version 1")).to_be_visible()
    expect(page.get_by_test_id("minutes-case")).to_have_count(len(room.cases))
    expect(page.locator(f"#case-{reference}")).to_contain_text(f"Case {reference}")
    redaction = page.get_by_test_id("redaction-flags").or_(
        page.get_by_test_id("redaction-flags-none")
    )
    expect(redaction).to_be_visible()

    # The draft, forms and all, fits a phone too.
    page.set_viewport_size(PHONE)
    assert_fits_a_phone(page)
    page.screenshot(path=ARTIFACTS / "minutes-phone-draft.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    checked = page.get_by_label(re.compile(r"^I have checked"))
    if checked.count():
        checked.check()
    page.get_by_role("button", name="Approve the minutes").click()

    expect(page.get_by_test_id("minutes-status")).to_have_text("Approved", timeout=RENDERING)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "The minutes are approved"
    )
    first_row = page.get_by_test_id("versions").locator("tbody tr").first
    expect(first_row.locator("td").first).to_have_text("1")
    expect(first_row).to_contain_text(chair.get_full_name())
    expect(first_row.get_by_role("link", name=re.compile(r"^Board copy \(PDF"))).to_be_visible()
    page.screenshot(path=ARTIFACTS / "minutes-approved.png", full_page=True)

    stored = MinutesDocument.objects.get(
        version__minutes=minutes, version__number=1, kind=DocumentKind.BOARD_COPY
    )
    expect(first_row).to_contain_text(f"SHA-256 {stored.sha256}")

    # (3) The approved minutes on a phone: no sideways scrolling.
    page.set_viewport_size(PHONE)
    assert_fits_a_phone(page)
    page.screenshot(path=ARTIFACTS / "minutes-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)

    # (2) A board member, signed in in another browser, downloads the board copy.
    board_context = browser.new_context(base_url=live_server_url, viewport=DESKTOP)
    board_context.set_default_timeout(10_000)
    board_page = board_context.new_page()
    record_csp_violations(board_page, csp_violations)
    try:
        sign_in(board_page, board.username, PASSWORD)
        board_page.goto("/")
        board_page.get_by_role("link", name=re.compile(r"^Board papers")).click()
        expect(board_page).to_have_url(re.compile(r"/board/$"))
        expect(board_page.get_by_role("heading", name="Board papers", level=1)).to_be_visible()

        rows = board_page.get_by_test_id("board-papers").locator("tbody tr")
        expect(rows).to_have_count(1)
        row = rows.first
        expect(row).to_contain_text(room.panel.name)
        expect(row.locator("td").nth(2)).to_contain_text("1, approved")
        expect(row).not_to_contain_text("Superseded")
        shown_hash = row.locator(".app-hash").inner_text()
        assert shown_hash == f"SHA-256 {stored.sha256}"
        board_page.screenshot(path=ARTIFACTS / "board-papers.png", full_page=True)

        link = row.get_by_role("link", name=re.compile(r"^Download \(PDF"))
        with board_page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename == stored.filename
        pdf = Path(download.path()).read_bytes()
    finally:
        board_context.close()

    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == stored.sha256
    assert pdf == bytes(stored.pdf)
    text = text_of(pdf)
    assert "OFFICIAL-SENSITIVE" in text
    assert reference in text
    assert CHILD_FIRST not in text
    assert CHILD_LAST not in text
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORTED_PDF, actor=board)
    assert exported.count() == 1
    assert stored.sha256[:16] in exported.get().detail
    assert csp_violations == []


NARROW = {"width": 360, "height": 740}


def test_the_page_says_the_documents_are_being_prepared_then_swaps_in_their_links(
    transactional_db, live_server_url, page, csp_violations, sign_in, monkeypatch
):
    """As in production's "background" rendering: the version is approved and its documents
    not stored yet (here this process renders them while the chair's page is open)."""
    from panels import minutes_rendering

    room = build_minuted_room()
    chair = room.people["chair"]
    minutes = minutes_services.minutes_draft(actor=room.people["coordinator"], meeting=room.meeting)
    minutes_services.minutes_submit(actor=room.people["coordinator"], minutes=minutes)
    minutes.refresh_from_db()
    with monkeypatch.context() as patch:
        patch.setattr(minutes_rendering, "minutes_rendering_start", lambda **kwargs: None)
        version = minutes_services.minutes_approve(
            actor=chair,
            minutes=minutes,
            revision=minutes.revision,
            confirmed_flags=minutes_services.redaction_flag_keys(minutes),
        )
    ARTIFACTS.mkdir(exist_ok=True)

    sign_in(page, chair.username, PASSWORD)
    page.set_viewport_size(NARROW)
    page.goto(f"/meetings/{room.meeting.pk}/minutes/")
    status = page.get_by_role("status").filter(has_text="being prepared")
    expect(status).to_have_text(
        re.compile(
            r"Approved as version 1\. The documents are being prepared; this page updates "
            r"when they are ready\."
        )
    )
    expect(status.get_by_role("link", name="Check again")).to_be_visible()
    expect(page.get_by_test_id("documents-being-prepared")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"\(PDF"))).to_have_count(0)
    assert_fits_a_phone_of(page, NARROW["width"])
    assert serious_violations(page) == []
    page.screenshot(path=ARTIFACTS / "minutes-being-prepared-360.png", full_page=True)

    minutes_rendering.minutes_render_version(version_id=version.pk)

    first_row = page.get_by_test_id("versions").locator("tbody tr").first
    expect(first_row.get_by_role("link", name=re.compile(r"^Board copy \(PDF"))).to_be_visible(
        timeout=15_000
    )
    expect(page.get_by_test_id("documents-status")).to_have_text(
        "The documents of version 1 are ready."
    )
    expect(page.get_by_test_id("documents-being-prepared")).to_have_count(0)
    assert_fits_a_phone_of(page, NARROW["width"])
    assert serious_violations(page) == []
    page.screenshot(path=ARTIFACTS / "minutes-documents-ready-360.png", full_page=True)
    assert csp_violations == []


def assert_fits_a_phone_of(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width + 1, f"{page.url} is {scroll_width}px wide at {width}px"
