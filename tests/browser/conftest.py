"""Browser tests: a real Chromium (Debian's /usr/bin/chromium) driven by Playwright.

- `page`: a fresh browser context and page on pytest-django's `live_server`, with a
  transactional database (the server thread must see the data the test commits). On failure
  the screenshot, the HTML and the browser console go to test-artifacts/browser/<test name>/.
- `console_messages`: the errors the page logged (a CSP violation shows up here).
- `open_person(name)`: one more page in its own browser context, for journeys where several
  people act (artifacts go to test-artifacts/browser/<test name>-<name>/ on failure).
- `login(page, live_server, email, password)`: signs in through the real form.
- `assert_accessible(page)`: axe-core; fails on serious or critical violations.

Mark browser tests with `@pytest.mark.browser`.
"""

import os
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread, and the test code (and
# live_server's data) use the ORM from the same thread: Django must not refuse it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
TIMEOUT_MS = 10_000
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts" / "browser"
BLOCKING_IMPACTS = {"serious", "critical"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so fixtures know at teardown if it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000
        )
        yield chromium
        chromium.close()


@pytest.fixture
def console_messages() -> list[str]:
    return []


@pytest.fixture
def page(browser, live_server, transactional_db, console_messages, request) -> Page:
    context = browser.new_context(
        base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            console_messages.append(
                f"{message.type}: {message.text} ({message.location.get('url', '')})"
            )
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console_messages.append(f"pageerror: {error}"))
    try:
        yield page
    finally:
        if any(
            getattr(getattr(request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        ):
            save_artifacts(page, request.node.name, console_messages)
        context.close()


@pytest.fixture
def open_person(browser, live_server, transactional_db, console_messages, request):
    """`open_person("provider")`: another page in its own browser context (its own cookies
    and session), for journeys where several people act in turn. On failure each person's
    screenshot, HTML and console go to test-artifacts/browser/<test name>-<person>/."""
    people: dict[str, tuple] = {}

    def open_page(name: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        person_page = context.new_page()
        console: list[str] = []

        def on_console(message):
            if message.type == "error":
                where = message.location.get("url", "")
                line = f"{name}: {message.type}: {message.text} ({where})"
                console.append(line)
                console_messages.append(line)

        person_page.on("console", on_console)
        person_page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        people[name] = (context, person_page, console)
        return person_page

    try:
        yield open_page
    finally:
        failed = any(
            getattr(getattr(request.node, f"report_{when}", None), "failed", False)
            for when in ("setup", "call")
        )
        for name, (context, person_page, console) in people.items():
            if failed and person_page.url != "about:blank":  # someone who had not started yet
                save_artifacts(person_page, f"{request.node.name}-{name}", console)
            context.close()


def save_artifacts(page: Page, test_name: str, console: list[str]) -> None:
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", test_name)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        page.screenshot(path=str(folder / "screenshot.png"), full_page=True)
        (folder / "page.html").write_text(page.content(), encoding="utf-8")
    except Exception as exc:  # the page may have crashed; say so instead of hiding the failure
        (folder / "error.txt").write_text(f"could not capture the page: {exc}\n")
    (folder / "console.txt").write_text(f"url: {page.url}\n" + "\n".join(console) + "\n")
    print(f"\nbrowser artifacts: {folder}")


def login(page: Page, live_server, email: str, password: str) -> None:
    """Sign in through the real form and wait until the browser has left the login page."""
    page.goto(f"{live_server.url}{reverse('accounts:login')}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: reverse("accounts:login") not in url)


def assert_accessible(page: Page, context: str | None = None) -> None:
    """Run axe-core on the page (or a CSS selector in it); fail on serious/critical issues."""
    results = Axe().run(page, context=context)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING_IMPACTS]
    lines = [
        f"{v['id']} ({v['impact']}): {v['help']} – "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"])
        for v in blocking
    ]
    assert not blocking, f"accessibility violations on {page.url}:\n" + "\n".join(lines)
