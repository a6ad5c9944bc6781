"""axe-core (WCAG 2.2 AA: every rule tagged wcag2a, wcag2aa, wcag21a, wcag21aa or wcag22aa)
on the casework pages, the board's dashboard, the missing episode pages, the intelligence
pages and the agenda listing page, each opened by a person of the demo borough who may see it:
no violation at all, of any impact, and nothing wider than a 360 px phone
(document.documentElement.scrollWidth <= 360)."""

import pytest
from django.core.management import call_command

from agencies.demo import DEMO_PASSWORD
from tests.browser.test_accessibility import AXE
from tests.factories import person

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 360, "height": 800}
MANAGER = "tess.manager"


def violations(page) -> list[str]:
    # Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    page.evaluate(AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    assert result["passes"], "axe checked nothing: the page did not load?"
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]


def problems_of(page, path: str) -> list[str]:
    """What is wrong with the page on a phone, then at desktop width."""
    problems = []
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        page.set_viewport_size(viewport)
        response = page.goto(path)
        assert response.status == 200, f"{path} answered {response.status}"
        assert "/sign-in/" not in page.url, f"{path} sent us to {page.url}"
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{path} is {width}px wide on a 360px phone")
        problems += [f"{path} at {viewport['width']}px: {v}" for v in violations(page)]
    return problems


def council_manager():
    """An agency-wide lead of the council, who manages all its teams. (The demo's council
    manager, ruth.kellaway, leads the return home interview team only once the missing demo
    has run, so she may allocate none of the demo's live cases.)"""
    from agencies.models import Agency, AgencyType, Role

    csc = Agency.objects.get(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    return person(Role.AGENCY_LEAD, csc, username=MANAGER)


def pages_by_person() -> dict[str, list[str]]:
    """The pages to check, as the demo borough's people who may open them."""
    import access
    from casework.models import CaseReview, LearningAction
    from intelligence.models import Subject, SubjectDiscussion
    from missing.models import ChildFlag, MissingEpisode, ReturnInterview

    allocated = CaseReview.objects.order_by("pk").first()
    manager = council_manager()
    # A live case the council's manager may allocate (or reallocate): the allocation page.
    allocatable = next(
        case
        for case in access.allocatable_referrals(manager).order_by("pk")
        if access.can_allocate(manager, case)
    )
    episode = MissingEpisode.objects.filter(reported_by__username="dana.harlow").first()
    open_interview = next(i for i in ReturnInterview.objects.order_by("pk") if i.is_open)
    flag = ChildFlag.objects.order_by("pk").first()
    subject = Subject.objects.order_by("pk").first()
    network = SubjectDiscussion.objects.order_by("pk").first()
    assert allocated and episode and open_interview and flag and subject
    assert LearningAction.objects.exists() and network
    return {
        # The council's agency lead manages its teams: caseloads and allocation.
        MANAGER: [
            "/casework/caseloads/",
            f"/casework/cases/{allocatable.pk}/allocate/",
            "/casework/reviews/",
            f"/casework/reviews/{allocated.pk}/",
        ],
        # The council's lead of the return home interview team owns the learning action.
        "ruth.kellaway": [
            "/casework/learning/",
            f"/missing/{open_interview.episode_id}/interview/",
        ],
        # The quality auditor: reviews, the quality overview and learning.
        "irene.voss": [
            "/casework/reviews/",
            f"/casework/reviews/{allocated.pk}/",
            "/casework/quality/",
            "/casework/learning/",
        ],
        # The worker of a reviewed case reads the feedback on it.
        allocated.worker.username: ["/casework/reviews/", f"/casework/reviews/{allocated.pk}/"],
        # A board member sees the dashboard of the panels they oversee.
        "fiona.hale": ["/missing/figures/"],
        # The police officer reports and corrects missing episodes.
        "dana.harlow": [
            "/missing/",
            "/missing/report/",
            f"/missing/{episode.pk}/",
            f"/missing/{episode.pk}/correct/",
        ],
        # The exploitation panel's coordinator: figures and the missing trigger's tasks.
        "maya.lindqvist": ["/missing/figures/", "/missing/flags/", f"/missing/flags/{flag.pk}/"],
        # The police lead holds the intelligence and sits on the panel.
        "sam.whitlock": [
            "/intelligence/",
            "/intelligence/record/",
            f"/intelligence/{subject.pk}/",
            f"/intelligence/{subject.pk}/link/",
            f"/intelligence/panels/{network.panel_id}/",
        ],
    }


def problems_as_each_person(page, sign_in, pages: dict[str, list[str]]) -> list[str]:
    problems = []
    for username, paths in pages.items():
        page.context.clear_cookies()
        sign_in(page, username, "correct-horse-battery" if username == MANAGER else DEMO_PASSWORD)
        for path in paths:
            problems += problems_of(page, path)
    return problems


def test_casework_missing_and_intelligence_pages_pass_axe_and_fit_a_phone(
    transactional_db, browser, live_server_url, page, sign_in
):
    call_command("seed_demo", "--force", "--quiet-logins")

    assert problems_as_each_person(page, sign_in, pages_by_person()) == []


def test_the_board_dashboard_passes_axe_and_fits_a_phone_for_a_board_member_and_a_lead(
    transactional_db, browser, live_server_url, page, sign_in
):
    call_command("seed_demo", "--force", "--quiet-logins")
    council_manager()

    board = {
        "fiona.hale": ["/board/dashboard/", "/board/themes/", "/board/themes/?period=2026"],
        MANAGER: ["/board/dashboard/"],
    }
    assert problems_as_each_person(page, sign_in, board) == []


# --- The agenda listing page ------------------------------------------------------------------

CHAIR = "alan.brightwater"
DESKTOP = {"width": 1280, "height": 800}


def agenda_meetings():
    """The exploitation panel's next meeting (the chair is offered its records of concern)
    and a scheduled meeting of a MARAC the chair also chairs (cases only: the two cases of the
    exploitation panel's agenda, which the chair may read, wait to be listed there)."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    import access
    from agencies.models import Agency, AgencyType
    from panels.demo import PANEL
    from panels.models import Meeting, MeetingStatus, Panel, PanelKind, PanelMembership

    chair = get_user_model().objects.get(username=CHAIR)
    exploitation = Meeting.objects.get(panel__name=PANEL, status=MeetingStatus.SCHEDULED)
    council = Agency.objects.get(agency_type=AgencyType.CHILDRENS_SOCIAL_CARE)
    marac = Panel.objects.create(name="Fenmarsh MARAC", kind=PanelKind.MARAC)
    marac.member_agencies.add(*Agency.objects.all())
    PanelMembership.objects.create(panel=marac, user=chair, agency=council, role="chair")
    cases_only = Meeting.objects.create(
        panel=marac, starts_at=timezone.now() + timedelta(days=9), place="Room 3"
    )
    assert access.themes_listable_on(chair, exploitation).exists()
    assert access.cases_listable_on(chair, cases_only).count() >= 2
    return exploitation, cases_only


def problems_once_sent_empty(page, path: str, button: str) -> list[str]:
    """The page as it comes back from its form sent with nothing chosen: the error summary
    and each field's error shown. At desktop width, then on a phone, where the test ends (so
    its screenshot in test-artifacts/ is the phone's)."""
    problems = []
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(path)
        with page.expect_response(lambda r: r.request.method == "POST") as sent:
            page.get_by_role("button", name=button).click()
        page.wait_for_load_state()
        assert sent.value.status == 400, f"{path} answered {sent.value.status}"
        assert page.locator(".govuk-error-summary").is_visible()
        if viewport is PHONE:
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{path} with errors is {width}px wide on a 360px phone")
        problems += [f"{path} with errors at {viewport['width']}px: {v}" for v in violations(page)]
    return problems


def test_the_agenda_listing_page_passes_axe_and_fits_a_phone_with_its_errors_too(
    transactional_db, browser, live_server_url, page, sign_in
):
    call_command("seed_demo", "--force", "--quiet-logins")
    exploitation, cases_only = agenda_meetings()
    themes = f"/meetings/{exploitation.pk}/agenda/add/"
    cases = f"/meetings/{cases_only.pk}/agenda/add/"
    sign_in(page, CHAIR, DEMO_PASSWORD)

    problems = problems_of(page, cases) + problems_of(page, themes)
    assert page.get_by_role("radio", name="Dex Varrow").count() == 1  # its theme choices
    problems += problems_once_sent_empty(page, cases, "List the case")
    problems += problems_once_sent_empty(page, themes, "List the theme")

    assert problems == []
