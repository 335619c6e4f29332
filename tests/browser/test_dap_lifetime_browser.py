"""End to end in Chromium: a reseller asks a customer for delegated admin, the customer approves
it through the emailed one-time link, the reminder email arrives, the grant expires, and the
Partner relationships page shows the service free again. Every page passes axe."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from apps.customers.grants import grants_lifecycle_run
from apps.customers.models import DelegatedAdminGrant
from apps.customers.services import relationship_get_or_create
from apps.partners.models import Role
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser

LINK = re.compile(r"http://testserver(/r/[A-Za-z0-9_.:-]{20,}/)")


def test_a_request_is_approved_reminded_and_expires(page, open_person, live_server):
    factories.ensure_service_catalog()
    provider = factories.make_provider("Contoso Distribution")
    reseller = factories.make_reseller("Fabrikam Solutions")
    factories.make_partnership(provider, reseller)
    factories.make_member(reseller, Role.GLOBAL_ADMIN, email="admin@fabrikam.test")
    customer_admin = factories.make_user("admin@northwind.test")
    customer = factories.make_customer(
        "Northwind Traders", "northwind.partner.onmschina.cn", admin=customer_admin
    )
    relationship_get_or_create(customer=customer, provider=provider, reseller=reseller, by=None)

    # the reseller asks from the customer's page
    login(page, live_server, "admin@fabrikam.test", factories.PASSWORD)
    page.goto(f"{live_server.url}/p/{reseller.public_id}/customers/{customer.public_id}/")
    page.get_by_role("link", name="Ask for delegated admin").click()
    assert_accessible(page)
    page.get_by_label("Office 365 operated by 21Vianet").check()
    page.get_by_label("Support").check()
    page.get_by_label("Duration (days)").fill("10")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("main")).to_contain_text("Approval link for the customer's admins")
    assert_accessible(page)

    # the customer's admin opens the emailed link: the token leaves the address bar
    [email] = [m for m in mail.outbox if "admin@northwind.test" in m.to]
    link = LINK.search(email.body).group(1)
    customer_page = open_person("customer")
    login(customer_page, live_server, "admin@northwind.test", factories.PASSWORD)
    customer_page.goto(live_server.url + link)
    expect(customer_page).to_have_url(re.compile(r"/c/[0-9A-Z]+/dap-requests/[0-9A-Z]+/$"))
    table = customer_page.get_by_role("table")
    expect(table).to_contain_text("If you approve")
    expect(table).to_contain_text("Fabrikam Solutions receives delegated admin (support)")
    assert_accessible(customer_page)
    customer_page.get_by_role("button", name="Approve").click()
    expect(customer_page.get_by_role("main")).to_contain_text("You approved the request")
    expect(customer_page.get_by_role("table").first).to_contain_text("Fabrikam Solutions")
    assert_accessible(customer_page)
    grant = DelegatedAdminGrant.objects.active().get()

    # four days later the job sends the 7-day reminder
    mail.outbox.clear()
    result = grants_lifecycle_run(now=timezone.now() + timedelta(days=4))
    assert result.reminders == 1
    reminder = [m for m in mail.outbox if "admin@northwind.test" in m.to]
    assert reminder and "ends on" in reminder[0].subject

    # after the end date the job ends it; the Partner relationships page shows no holder
    assert grants_lifecycle_run(now=grant.ends_at + timedelta(minutes=1)).expired == 1
    customer_page.reload()
    row = customer_page.get_by_role("row", name=re.compile("Office 365"))
    expect(row).to_contain_text("No partner")
    assert_accessible(customer_page)
    # and the reseller's page no longer lists it as holding delegated admin
    page.goto(f"{live_server.url}/p/{reseller.public_id}/customers/{customer.public_id}/")
    expect(page.get_by_role("main")).to_contain_text(
        "Neither you nor your resellers hold delegated admin for this customer."
    )
