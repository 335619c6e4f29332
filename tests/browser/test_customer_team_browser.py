"""In Chromium: a new customer's admin sees the unverified overview, invites a colleague as
Reader; the colleague joins through the emailed link and can look but not change. Every page
passes axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.customers.models import CustomerMembership
from apps.customers.services import customer_create
from tests import factories

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser

LINK = re.compile(r"http://testserver(/ct/[A-Za-z0-9_-]{20,}/)")
PASSWORD = "Very-Long-Pass-2026"


def test_a_customer_admin_invites_a_reader_who_joins_and_only_looks(
    open_person, live_server, services
):
    boss = factories.make_user("boss@adventure.test")
    customer = customer_create(
        name="Adventure Works", tenant_domain="adventure.partner.onmschina.cn", admin=boss
    )
    admin = open_person("admin")
    login(admin, live_server, boss.email, factories.PASSWORD)
    admin.goto(f"/c/{customer.public_id}/")
    expect(admin.get_by_role("heading", name="Verify your tenant domain")).to_be_visible()
    expect(admin.locator("#txt-value")).to_have_text(customer.txt_record_value)
    assert_accessible(admin)
    # a check before the record is published says so and changes nothing
    admin.get_by_role("button", name="Check the TXT record now").click()
    expect(admin.get_by_text("No TXT record with the expected value")).to_be_visible()
    assert_accessible(admin)

    tabs = admin.get_by_role("navigation", name="Organization")
    tabs.get_by_role("link", name="Team").click()
    assert_accessible(admin)
    admin.get_by_role("link", name="Invite a colleague").click()
    admin.get_by_label("Email address").fill("reader@adventure.test")
    admin.get_by_label("Reader").check()
    assert_accessible(admin)
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.get_by_text("An invitation was sent to reader@adventure.test.")).to_be_visible()
    expect(admin.get_by_role("row").filter(has_text="reader@adventure.test")).to_contain_text(
        "Pending"
    )
    assert_accessible(admin)

    reader = open_person("reader")
    reader.goto(LINK.search(mail.outbox[-1].body).group(1))
    expect(reader).to_have_url(re.compile(r"/ct/join/$"))
    expect(reader.get_by_role("heading", level=1)).to_have_text("Join Adventure Works")
    assert_accessible(reader)
    reader.get_by_label("Your name").fill("Rae")
    reader.locator("#id_password1").fill(PASSWORD)
    reader.locator("#id_password2").fill(PASSWORD)
    reader.get_by_role("button", name="Create account and join").click()
    expect(reader.get_by_text("You joined Adventure Works as Reader.")).to_be_visible()
    expect(
        reader.get_by_text("A Customer admin of your organization can verify it.")
    ).to_be_visible()
    expect(reader.get_by_role("button", name="Check the TXT record now")).to_have_count(0)
    assert_accessible(reader)
    tabs = reader.get_by_role("navigation", name="Organization")
    tabs.get_by_role("link", name="Team").click()
    expect(reader.get_by_role("link", name="Invite a colleague")).to_have_count(0)
    tabs.get_by_role("link", name="Received invitations").click()
    expect(reader.get_by_text("has not answered any invitation yet")).to_be_visible()
    assert_accessible(reader)
    assert CustomerMembership.objects.get(user__email="reader@adventure.test").role == "reader"
