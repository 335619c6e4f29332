"""/api/docs/: Swagger UI from our own static files, under the strict CSP."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_api_docs_render_without_csp_violations(page, live_server, console_messages):
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.get_by_text("Multichannel Partner Portal API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/invitations/").first).to_be_visible()
    violations = [m for m in console_messages if "Content Security Policy" in m]
    assert violations == []
