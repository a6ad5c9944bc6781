"""Browser tests: Debian's Chromium, driven by Playwright, against a real daphne process.

Fixtures for every test in this folder:

- live_server_url: base URL of a daphne process (HTTP and WebSocket) that serves this test
  process's own test database. One daphne per test process, so one per xdist worker.
- browser: Chromium, started once per test process.
- page: a fresh browser context and page for each test, its base URL the live server, so
  `page.goto("/sign-in/")` works. A screenshot of where the test ended is saved to
  test-artifacts/ after every test, passed or failed.
- csp_violations: the console errors in which Chromium reported something the
  Content-Security-Policy blocked. Assert it is empty after the page has loaded.
- sign_in: `sign_in(page, username, password)` fills in and submits the sign-in page, then
  the second factor (a code computed from the person's authenticator app in the database).

Data a test makes must be committed for daphne to see it: use `transactional_db` (or
`@pytest.mark.django_db(transaction=True)`) and create the data inside the test. Mark each
test `@pytest.mark.browser` and `@pytest.mark.xdist_group("browser")`, so that under
`--dist loadgroup` one worker starts the one Chromium. (pytest 9.2 with pytest-xdist 3.8
silently ignores xdist_group, pytest-dev/pytest-xdist#1386: then every worker that gets a
browser test starts its own daphne and Chromium, which works, only heavier.)
"""

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
DAPHNE_START_TIMEOUT = 30  # seconds for /healthz to answer 200


# --- Chromium present, or a clear skip (a failure when REQUIRE_BROWSER=1, as in CI) --------


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Every test in this folder drives Chromium: check before any fixture starts daphne.

    A skip raised here (not in a fixture) is reported at this line, so however many browser
    tests there are, the summary shows the reason once.
    """
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"Chromium not installed at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason} (REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)


# --- The live server: daphne on the test database ----------------------------------------


def database_url_for(settings_dict: dict) -> str:
    """A DATABASE_URL naming the database this test process is really using."""
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    host = quote(settings_dict.get("HOST") or "localhost", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthz_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None  # not listening yet


def daphne_failed(message: str, log_path: Path) -> None:
    log = log_path.read_text(errors="replace").strip() or "(daphne wrote nothing)"
    pytest.fail(f"{message}\n--- daphne's output ({log_path}) ---\n{log}", pytrace=False)


@pytest.fixture(scope="session")
def live_server_url(django_db_setup):
    """Base URL of a daphne process serving this test process's test database."""
    from django.db import connection

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": database_url_for(connection.settings_dict),
        "PYTHONUNBUFFERED": "1",
    }  # REDIS_URL and CHANNEL_PREFIX, when set, are passed on as they are.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # only this process needs it, see below
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"daphne-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    with log_path.open("w") as log:
        daphne = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
            + ["config.asgi:application"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + DAPHNE_START_TIMEOUT
        while (status := healthz_status(url)) != 200:
            if daphne.poll() is not None:
                daphne_failed(f"daphne exited with code {daphne.returncode}.", log_path)
            if time.monotonic() > deadline:
                daphne_failed(
                    f"daphne did not answer 200 at {url}/healthz within "
                    f"{DAPHNE_START_TIMEOUT}s (last status: {status}).",
                    log_path,
                )
            time.sleep(0.1)
        yield url
    finally:
        # Before pytest-django drops the test database, which PostgreSQL refuses while
        # daphne still holds a connection to it.
        daphne.terminate()
        try:
            daphne.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daphne.kill()
            daphne.wait()


# --- Chromium through Playwright -----------------------------------------------------------


class PlaywrightSession:
    """Sync Playwright, and the rule for sharing this thread with the tests that come after.

    Sync Playwright runs its event loop in a greenlet of this thread and, between calls,
    leaves that loop marked as the thread's running loop. While it is marked, Django takes
    every ORM call for one made from async code (SynchronousOnlyOperation), and pytest-asyncio
    cannot start a loop of its own. So the loop is marked only while a browser test runs (or a
    session fixture calls Playwright), with Django told that the code is really synchronous;
    afterwards the next test in this process gets the thread back as it expects it.
    """

    def __init__(self):
        self.playwright = sync_playwright().start()
        self.loop = asyncio.get_running_loop()  # Playwright's own, marked by start()
        asyncio.events._set_running_loop(None)

    @contextmanager
    def owns_the_thread(self):
        saved = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        asyncio.events._set_running_loop(self.loop)
        try:
            yield
        finally:
            asyncio.events._set_running_loop(None)
            if saved is None:
                del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
            else:
                os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = saved

    def stop(self):
        with self.owns_the_thread():
            self.playwright.stop()


@pytest.fixture(scope="session")
def playwright_session():
    session = PlaywrightSession()
    yield session
    session.stop()


@pytest.fixture(autouse=True)
def _playwright_owns_the_thread_during_each_test(playwright_session):
    with playwright_session.owns_the_thread():
        yield


@pytest.fixture(scope="session")
def browser(playwright_session):
    """Chromium, started once for the session."""
    with playwright_session.owns_the_thread():
        browser = playwright_session.playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
    yield browser
    with playwright_session.owns_the_thread():
        browser.close()


def screenshot_path(nodeid: str) -> Path:
    return ARTIFACTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", nodeid).strip("-") + ".png")


@pytest.fixture
def page(transactional_db, browser, live_server_url, request):
    """A page in a fresh browser context; screenshotted to test-artifacts/ when the test ends.
    After the database's set-up and before its flush (the fixture asks for it): the page's
    sockets have closed and left before the tables are emptied."""
    context = browser.new_context(base_url=live_server_url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        try:
            page.screenshot(path=screenshot_path(request.node.nodeid), full_page=True)
        except PlaywrightError as error:
            warnings.warn(f"No screenshot for {request.node.nodeid}: {error}", stacklevel=1)
        context.close()
        wait_for_closed_sockets_to_leave()


# Closed meeting sockets leave in daphne's next batch (panels.fanout.LEAVE_BATCH_SECONDS); a
# test database flushed meanwhile (TRUNCATE of every table) and that batch's transaction could
# deadlock on PostgreSQL, failing the next test's set-up.
LEAVING_TIMEOUT = 5


def wait_for_closed_sockets_to_leave() -> None:
    from panels.models import MeetingPresence

    deadline = time.monotonic() + LEAVING_TIMEOUT
    while MeetingPresence.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.fixture
def csp_violations(page):
    """What Chromium reported, on the console, that the Content-Security-Policy blocked."""
    violations: list[str] = []

    def record(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(message.text)

    page.on("console", record)
    return violations


@pytest.fixture
def sign_in():
    """`sign_in(page, username, password)`: submit the sign-in page as a person would, then the
    second factor: the code of the person's authenticator app (the demo's, or a test one made
    for someone without one; tests/conftest.py), computed here."""
    from django.contrib.auth import get_user_model

    from tests.conftest import second_factor_code

    def sign_in(page, username: str, password: str) -> None:
        person = get_user_model().objects.filter(username=username).first()
        if person is not None:
            second_factor_code(person)  # an authenticator app for someone without one
        page.goto("/sign-in/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        if person is not None and "/sign-in/second-factor/" in page.url:
            page.get_by_label("Code from your authenticator app").fill(second_factor_code(person))
            page.get_by_role("button", name="Continue").click()
            page.wait_for_load_state()

    return sign_in
