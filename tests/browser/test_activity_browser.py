"""In Chromium: a provider admin reads, filters and downloads the organization's activity, and
an auditor follows the story through the admin's audit log and exports it; pages pass axe."""

from pathlib import Path

import pytest
from django.db import transaction
from playwright.sync_api import expect

from apps.audit.services import audit_record
from apps.partners.models import Role
from apps.portal.services import auditor_add
from tests import factories
from tests.browser.conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def story(transactional_db):
    provider = factories.make_provider("Contoso Distribution")
    reseller = factories.make_reseller("Fabrikam Solutions")
    admin = factories.make_member(provider, Role.GLOBAL_ADMIN, email="admin@contoso.test")
    customer_admin = factories.make_user("admin@northwind.test")
    customer = factories.make_customer("Northwind Traders", admin=customer_admin)
    with transaction.atomic():
        audit_record(
            action="invitation.created",
            actor=admin,
            acting_partner=provider,
            target=reseller,
            target_repr="Invitation I123 for Fabrikam",
            partners=[reseller],
        )
        audit_record(
            action="relationship.created",
            actor=customer_admin,
            acting_customer=customer,
            target=customer,
            customer=customer,
            partners=[provider, reseller],
            data={"services": ["azure"]},
        )
    return {"provider": provider, "customer": customer}


def test_a_provider_admin_reads_filters_and_downloads_the_activity(page, live_server, story):
    login(page, live_server, "admin@contoso.test", factories.PASSWORD)
    page.goto(f"{live_server.url}/p/{story['provider'].public_id}/")
    page.get_by_role("link", name="Activity", exact=True).click()
    expect(page.get_by_role("heading", name="Activity")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Northwind Traders")  # the customer, not its admin's email
    assert_accessible(page)

    page.get_by_label("Action").select_option("invitation.created")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Invitation I123 for Fabrikam")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="Export these events (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Invitation I123 for Fabrikam" in text
    assert "relationship.created" not in text


def test_an_auditor_follows_the_story_in_the_admin_and_exports_it(page, live_server, story):
    auditor_add(email="auditor@example.test", password=factories.PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Email").fill("auditor@example.test")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Audit events").first.click()
    # the story, auditor.added and the auditor's own sign-in
    expect(page.locator("#result_list tbody tr")).to_have_count(4)

    partner_box = page.get_by_role("searchbox", name="Partner (concerned or acting)")
    partner_box.fill(story["provider"].public_id)
    partner_box.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(2)
    expect(page.locator("#changelist-filter")).to_contain_text("Contoso Distribution")

    page.locator("#result_list tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("#content")).to_contain_text("relationship.created")
    expect(page.get_by_role("link", name="Northwind Traders").first).to_be_visible()
    page.go_back()

    with page.expect_download() as download:
        page.get_by_role("link", name="Export these events (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").strip().splitlines()
    assert len(lines) == 3  # header and the two filtered events
