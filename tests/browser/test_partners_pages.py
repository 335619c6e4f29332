"""End to end in Chromium: an operator-created provider's first Global admin joins through the
emailed link, invites a reseller whose admin signs up and accepts; every page passes axe."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.partners import services
from apps.partners.models import Partner, ResellerPartnership, Role
from tests import factories

from .conftest import assert_accessible

pytestmark = pytest.mark.browser

LINK = re.compile(r"http://testserver(/t/[A-Za-z0-9_-]{20,}/)")
PASSWORD = "Very-Long-Pass-2026"


def last_link_path() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


def test_a_new_provider_joins_invites_a_reseller_and_the_reseller_signs_up(page, live_server):
    partner, _ = services.partner_create(
        name="Adventure Works",
        kind=Partner.Kind.INDIRECT_PROVIDER,
        first_admin_email="boss@adventureworks.test",
    )
    # the first Global admin opens the emailed link: the token leaves the address bar
    page.goto(live_server.url + last_link_path())
    expect(page).to_have_url(re.compile(r"/t/team/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Adventure Works")
    assert_accessible(page)
    page.get_by_label("Your name").fill("Boss")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account and join").click()
    expect(page.get_by_role("main")).to_contain_text("Welcome to Adventure Works")
    assert_accessible(page)

    # the team page (with a member whose role can be changed), then inviting a reseller
    factories.make_member(partner, Role.SALES_AGENT, email="sales@adventureworks.test")
    page.get_by_role("link", name="Team", exact=True).click()
    expect(page.get_by_role("heading", name="Team")).to_be_visible()
    page.get_by_label("Role of sales@adventureworks.test").select_option("admin_agent")
    page.get_by_role("button", name="Change role").click()
    expect(page.get_by_role("main")).to_contain_text("sales@adventureworks.test is now Admin agent")
    assert_accessible(page)
    page.get_by_role("link", name="Resellers", exact=True).click()
    expect(page.get_by_role("main")).to_contain_text("You have no resellers yet")
    assert_accessible(page)
    page.get_by_role("link", name="Invite a reseller").first.click()
    assert_accessible(page)
    page.get_by_label("Email of the reseller's Global admin").fill("owner@tailspin.test")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_role("main")).to_contain_text("Invitation sent to owner@tailspin.test")
    assert_accessible(page)
    link_path = last_link_path()

    # the reseller, in another browser session, signs up and accepts
    other = page.context.browser.new_context(base_url=live_server.url)
    reseller_page = other.new_page()
    reseller_page.goto(live_server.url + link_path)
    expect(reseller_page).to_have_url(re.compile(r"/t/partnership/$"))
    assert_accessible(reseller_page)
    reseller_page.get_by_label("Your reseller organization's name").fill("Tailspin Toys")
    reseller_page.get_by_label("Your name").fill("Owner")
    reseller_page.get_by_label("Email").fill("owner@tailspin.test")
    reseller_page.locator("#id_password1").fill(PASSWORD)
    reseller_page.locator("#id_password2").fill(PASSWORD)
    reseller_page.get_by_role("button", name="Sign up and accept").click()
    # the address is confirmed from the email before anything is created
    expect(reseller_page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(reseller_page)
    reseller_page.goto(live_server.url + factories.signup_link_in_email("owner@tailspin.test"))
    expect(reseller_page.get_by_role("heading", level=1)).to_have_text("Confirm your email address")
    assert_accessible(reseller_page)
    reseller_page.get_by_role("button", name="Create my account and continue").click()
    expect(reseller_page.get_by_role("main")).to_contain_text(
        "Tailspin Toys is now a reseller of Adventure Works"
    )
    assert_accessible(reseller_page)
    other.close()

    # back on the provider side the partnership is active
    page.goto(live_server.url + f"/p/{partner.public_id}/resellers/")
    expect(page.get_by_role("table")).to_contain_text("Tailspin Toys")
    assert ResellerPartnership.objects.get().state == ResellerPartnership.State.ACTIVE
    page.get_by_role("link", name="Tailspin Toys").click()
    assert_accessible(page)
    page.get_by_role("button", name="Suspend").click()
    expect(page.get_by_role("main")).to_contain_text("The partnership is suspended.")
    assert_accessible(page)
