"""The browser fixtures (Chromium through Playwright) for the activity pages' browser test."""

from tests.browser.conftest import browser, console_messages, page  # noqa: F401
