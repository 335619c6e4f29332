"""Issue 16 (points 1, 2, 3, 9, 12) in Chromium: the provider lands on its organization with
"Create customer invitation" first; the invitation form shows only the fields that apply (and
still works without JavaScript); revoking goes through a confirmation page; the reseller asks
for a link; a refused page keeps the navigation. axe-core on every page."""

import pytest
from playwright.sync_api import expect

from apps.invitations.models import Invitation, LinkRequest
from apps.partners.models import Role
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


@pytest.fixture
def org(transactional_db):
    factories.ensure_service_catalog()
    provider = factories.make_provider("Contoso Distribution", contact_email="hi@contoso.test")
    reseller = factories.make_reseller("Fabrikam Solutions")
    factories.make_partnership(provider, reseller)
    factories.make_member(provider, Role.GLOBAL_ADMIN, email="admin@contoso.test")
    factories.make_member(provider, Role.HELPDESK_AGENT, email="help@contoso.test")
    factories.make_member(reseller, Role.GLOBAL_ADMIN, email="admin@fabrikam.test")
    return provider, reseller


def test_the_provider_creates_an_invitation_from_its_home_and_revokes_it(
    page, live_server, org, console_messages
):
    login(page, live_server, "admin@contoso.test", factories.PASSWORD)
    main = page.get_by_role("main")
    # one organization: straight to it, the main task first
    expect(main.get_by_role("heading", name="Next steps")).to_be_visible()
    assert_accessible(page)
    main.get_by_role("link", name="Create customer invitation").click()

    # open by default: no recipient fields; no DAP: no services or scopes
    expect(page.get_by_label("Use limit (open invitations)")).to_be_visible()
    expect(page.get_by_label("Recipient email (personal invitations)")).to_be_hidden()
    expect(page.get_by_label("Scope: provisioning")).to_be_hidden()
    page.get_by_label("Personal (one recipient, single use)").check()
    expect(page.get_by_label("Recipient email (personal invitations)")).to_be_visible()
    expect(page.get_by_label("Use limit (open invitations)")).to_be_hidden()
    page.get_by_label("Request delegated admin privileges (DAP)").check()
    expect(page.get_by_label("Scope: provisioning")).to_be_visible()
    expect(main).to_contain_text("Provisioning: set up and change the customer's services")
    assert_accessible(page)
    page.get_by_label("Open (reusable, any customer)").check()
    page.get_by_label("Request delegated admin privileges (DAP)").uncheck()
    page.get_by_role("button", name="Create invitation").click()
    expect(main).to_contain_text("is ready")
    invitation = Invitation.objects.get()

    # revoking asks first, and says what will happen
    main.get_by_role("link", name="Revoke").click()
    expect(main).to_contain_text("Customers who already accepted keep their relationship")
    assert_accessible(page)
    main.get_by_role("button", name="Revoke invitation").click()
    expect(main).to_contain_text("is revoked")
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    assert console_messages == []


def test_the_invitation_form_works_without_javascript(browser, live_server, org):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    try:
        login(page, live_server, "admin@contoso.test", factories.PASSWORD)
        page.get_by_role("link", name="Create customer invitation").click()
        # every field is there without the script
        expect(page.get_by_label("Recipient email (personal invitations)")).to_be_visible()
        expect(page.get_by_label("Scope: support")).to_be_visible()
        page.get_by_label("Personal (one recipient, single use)").check()
        page.get_by_label("Recipient email (personal invitations)").fill("cio@northwind.test")
        page.get_by_label(
            "Email the invitation to the recipient now (personal invitations)"
        ).uncheck()
        page.get_by_role("button", name="Create invitation").click()
        expect(page.get_by_role("main")).to_contain_text("is ready")
        assert Invitation.objects.get().recipient_email == "cio@northwind.test"
    finally:
        context.close()


def test_the_reseller_asks_for_a_link_and_the_provider_sees_it(
    page, live_server, org, console_messages
):
    login(page, live_server, "admin@fabrikam.test", factories.PASSWORD)
    main = page.get_by_role("main")
    main.get_by_role("link", name="Request a link from a provider").click()
    expect(main).to_contain_text("hi@contoso.test")
    assert_accessible(page)
    main.get_by_role("link", name="Request a link from Contoso Distribution").click()
    assert_accessible(page)
    page.get_by_label("What do you need?").fill("Northwind Traders: Azure, support only")
    page.get_by_role("button", name="Send request").click()
    expect(main).to_contain_text("Your request was sent to Contoso Distribution")
    assert LinkRequest.objects.count() == 1

    page.get_by_role("button", name="Sign out").click()
    login(page, live_server, "admin@contoso.test", factories.PASSWORD)
    main.get_by_role("link", name="A reseller asked you for an invitation link").click()
    expect(main).to_contain_text("Northwind Traders: Azure, support only")
    assert_accessible(page)
    assert console_messages == []


def test_a_refusal_keeps_the_navigation(page, live_server, org, console_messages):
    provider, _ = org
    login(page, live_server, "help@contoso.test", factories.PASSWORD)
    page.goto(f"{live_server.url}/p/{provider.public_id}/invitations/new/")
    main = page.get_by_role("main")
    expect(main.get_by_role("heading", name="Not allowed")).to_be_visible()
    expect(main).to_contain_text("Your role, Helpdesk agent, does not include this")
    expect(main.get_by_role("navigation", name="Organization")).to_be_visible()
    assert_accessible(page)
