"""docs/product.md §4 from end to end, in Chromium, as the people involved would do it: by clicking
and typing on the pages the live server renders, reading links from the emails the portal sends.

Only what exists before the story begins is built directly: the service catalog, the operator
and an auditor (staff accounts), and a second reseller organization that already uses the
portal. Every page a person lands on must pass axe (assert_accessible).
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.customers.models import Customer, ResellerRelationship
from apps.customers.services import subscription_import
from apps.partners.models import Partner, Role
from apps.portal.auditors import grant_view_permissions
from apps.portal.services import auditor_add
from tests import factories

from .conftest import assert_accessible, login
from .journey import arrive, confirm_sign_up, emails_to, field, link_in_last_email, see

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Journey-Pass-2026!"

OPERATOR = "operator@example.test"
AUDITOR = "auditor@example.test"
ADA = "ada@contoso.test"  # the provider's first Global admin
RITA = "rita@fabrikam.test"  # Global admin of the reseller that signs up
TOM = "tom@tailspin.test"  # Global admin of a reseller already on the portal
CAROL = "carol@northwind.test"  # the customer's admin

PROVIDER = "Contoso Distribution"
RESELLER = "Fabrikam Solutions"
SECOND_RESELLER = "Tailspin Traders"
CUSTOMER = "Northwind Traders"
AXE_STYLE = "Applying inline style violates the following Content Security Policy directive"
OFFICE = "Office 365 operated by 21Vianet"
AZURE = "Azure operated by 21Vianet"


@pytest.fixture
def before_the_story(services):
    """The operator, an auditor and a reseller organization that already uses the portal."""
    User.objects.create_superuser(OPERATOR, factories.PASSWORD, display_name="Olga")
    grant_view_permissions()  # the flush between transactional tests may have emptied the group
    auditor_add(email=AUDITOR, display_name="Audrey", password=factories.PASSWORD)
    tailspin = factories.make_reseller(SECOND_RESELLER)
    factories.make_member(tailspin, Role.GLOBAL_ADMIN, email=TOM, display_name="Tom")
    return tailspin


def sign_up(page: Page, name: str, email: str | None = None) -> None:
    """Fill the account part of a sign-up form (the email may be fixed by the invitation)."""
    page.get_by_label("Your name").fill(name)
    if email is not None:
        page.get_by_label("Email").fill(email)
    field(page, "Password").fill(NEW_PASSWORD)
    page.get_by_label("Password again").fill(NEW_PASSWORD)


def open_organization(page: Page, name: str) -> None:
    """From the dashboard; someone with one organization lands on it directly (issue 16)."""
    page.goto(reverse("dashboard"))
    if name in page.get_by_role("heading", level=1).inner_text():
        return
    page.get_by_role("main").get_by_role("link", name=re.compile(re.escape(name))).click()


def open_admin_list(page: Page, app_label: str, model: str, name: str) -> None:
    """From any admin page: Home in the breadcrumbs, then the model's link on the index."""
    if page.get_by_role("heading", level=1, name="Operator administration").count() == 0:
        page.locator(".breadcrumbs").get_by_role("link", name="Home").click()
    page.locator(f"#{app_label}-{model}").get_by_role("link", name=name, exact=True).click()


def test_the_multichannel_journey_from_operator_to_auditor(
    open_person, live_server, console_messages, before_the_story, settings
):
    tailspin = before_the_story
    operator = open_person("operator")
    ada = open_person("ada")
    rita = open_person("rita")
    tom = open_person("tom")
    carol = open_person("carol")
    auditor = open_person("auditor")

    # -- 1. The operator creates the provider in admin and invites its first Global admin --------
    login(operator, live_server, OPERATOR, factories.PASSWORD)
    operator.get_by_role("link", name="Operator admin", exact=True).click()
    arrive(operator, "Operator administration")
    open_admin_list(operator, "partners", "partner", "Partners")
    arrive(operator, "Select partner to change")
    operator.get_by_role("link", name="Add partner").click()
    arrive(operator, "Create a partner and invite its first Global admin")
    operator.get_by_label("Organization name").fill(PROVIDER)
    operator.get_by_label("Kind").select_option(label="Indirect provider")
    operator.get_by_label("First Global admin's email").fill(ADA)
    operator.get_by_label("Status").select_option(label="Active (approved now)")
    operator.get_by_role("button", name="Create and send the invitation").click()
    expect(operator.get_by_text(f"{PROVIDER} was created with partner ID")).to_be_visible()
    assert_accessible(operator)

    # Ada follows the emailed link, sets her password and lands in her organization
    ada.goto(link_in_last_email(ADA))
    expect(ada).to_have_url(re.compile(r"/t/team/$"))  # the token left the address bar
    arrive(ada, f"Join {PROVIDER}")
    see(ada, "Global admin")
    sign_up(ada, "Ada")
    ada.get_by_role("button", name="Create account and join").click()
    see(ada, f"Welcome to {PROVIDER}")
    arrive(ada, PROVIDER)
    provider = Partner.objects.get(name=PROVIDER)

    # -- 2. Ada invites a reseller; its admin signs up, the operator approves it -----------------
    ada.get_by_role("link", name="Resellers", exact=True).click()
    arrive(ada, PROVIDER)
    ada.get_by_role("link", name="Invite a reseller").click()
    arrive(ada, PROVIDER)
    ada.get_by_label("Email of the reseller's Global admin").fill(RITA)
    ada.get_by_role("button", name="Send invitation").click()
    see(ada, f"Invitation sent to {RITA}")
    assert_accessible(ada)

    rita.goto(link_in_last_email(RITA))
    expect(rita).to_have_url(re.compile(r"/t/partnership/$"))
    arrive(rita, f"Become a reseller of {PROVIDER}")
    rita.get_by_label("Your reseller organization's name").fill(RESELLER)
    sign_up(rita, "Rita")
    rita.get_by_role("button", name="Sign up and accept").click()
    confirm_sign_up(rita, RITA)
    see(rita, f"{RESELLER} is now a reseller of {PROVIDER}")
    see(rita, "The operator still has to approve")
    arrive(rita, RESELLER)

    open_admin_list(operator, "partners", "partner", "Partners")
    arrive(operator, "Select partner to change")
    operator.get_by_role("checkbox", name=re.compile(f"Select this object.*{RESELLER}")).check()
    operator.get_by_role("combobox", name=re.compile("^Action")).select_option(
        label="Approve selected partners"
    )
    operator.get_by_role("button", name="Go").click()
    expect(operator.get_by_text("1 partner approved.")).to_be_visible()
    assert_accessible(operator)

    # Ada also invites Tailspin, a reseller already on the portal, by its partner ID; Tom signs
    # in from the emailed link and accepts for the organization he administers
    ada.get_by_role("link", name="Resellers", exact=True).click()
    ada.get_by_role("link", name="Invite a reseller").click()
    ada.get_by_label("Email of the reseller's Global admin").fill(TOM)
    ada.get_by_label("Reseller's partner ID (optional)").fill(tailspin.public_id)
    ada.get_by_role("button", name="Send invitation").click()
    see(ada, f"Invitation sent to {TOM}")

    tom.goto(link_in_last_email(TOM))
    arrive(tom, f"Become a reseller of {PROVIDER}")
    tom.get_by_role("main").get_by_role("link", name="Sign in").click()
    arrive(tom, "Sign in")
    tom.get_by_label("Email").fill(TOM)
    tom.get_by_label("Password").fill(factories.PASSWORD)
    tom.get_by_role("button", name="Sign in").click()
    arrive(tom, f"Become a reseller of {PROVIDER}")
    expect(tom.get_by_role("radio", name=re.compile(SECOND_RESELLER))).to_be_checked()
    tom.get_by_role("button", name="Accept", exact=True).click()
    see(tom, f"{SECOND_RESELLER} is now a reseller of {PROVIDER}")
    arrive(tom, SECOND_RESELLER)

    ada.get_by_role("link", name="Resellers", exact=True).click()
    resellers = ada.get_by_role("table", name="Reseller partnerships")
    for name in (RESELLER, SECOND_RESELLER):
        expect(resellers.get_by_role("row").filter(has_text=name)).to_contain_text("Active")
    assert_accessible(ada)

    # -- 3. Ada issues an invitation for Fabrikam asking DAP for two services -------------------
    ada.get_by_role("link", name="Invitations", exact=True).click()
    arrive(ada, PROVIDER)
    ada.get_by_role("link", name="New invitation").click()
    arrive(ada, PROVIDER)
    fabrikam = Partner.objects.get(name=RESELLER)
    ada.get_by_label("Issued for").select_option(label=str(fabrikam))  # name (partner ID)
    ada.get_by_label("Open (reusable, any customer)").check()
    ada.get_by_label("Request delegated admin privileges (DAP)").check()
    ada.get_by_label(OFFICE).check()
    ada.get_by_label(AZURE).check()
    ada.get_by_label("Scope: provisioning").check()
    ada.get_by_label("Scope: support").check()
    ada.get_by_label("Message to the customer").fill("Fabrikam looks after your cloud services.")
    ada.get_by_role("button", name="Create invitation").click()
    see(ada, "is ready. Copy the link or email it below.")
    arrive(ada, PROVIDER)
    expect(ada.get_by_label("Invitation link")).to_have_value(re.compile(r"/i/i[\w-]+\.[\w-]+/$"))
    invitation_id = re.search(r"Invitation (I\w+) is ready", ada.get_by_role("main").inner_text())
    assert invitation_id, "the confirmation names the invitation"
    invitation_id = invitation_id.group(1)

    # Rita sees it under her provider's invitations and forwards it by email to Carol
    open_organization(rita, RESELLER)
    rita.get_by_role("link", name="Invitations", exact=True).click()
    arrive(rita, RESELLER)
    expect(rita.get_by_role("link", name="New invitation")).to_have_count(0)
    rita.get_by_role("link", name=invitation_id).click()
    arrive(rita, RESELLER)
    see(rita, "Forward by email")
    rita.get_by_label("Recipients").fill(CAROL)
    rita.get_by_role("button", name="Forward").click()
    see(rita, f"Sent to {CAROL}.")
    assert_accessible(rita)
    forwarded = emails_to(CAROL)[-1]
    assert f"{RESELLER} invites your organization" in forwarded.body
    assert forwarded.alternatives, "the email has an HTML part too"

    # -- 4. Carol opens the forwarded link, sees what is asked, creates Northwind and accepts ----
    carol.goto(link_in_last_email(CAROL))
    expect(carol).to_have_url(re.compile(r"/i/$"))
    arrive(carol, f"Invitation from {PROVIDER}")
    offer = carol.get_by_role("region", name="What this invitation asks")
    for text in (PROVIDER, RESELLER, OFFICE, AZURE, "provisioning", "support"):
        expect(offer).to_contain_text(text)
    assert not ResellerRelationship.objects.exists()  # opening the link changed nothing
    carol.get_by_role("link", name="Create your organization").click()
    arrive(carol, "Create your organization")
    sign_up(carol, "Carol", email=CAROL)
    carol.get_by_label("Organization name").fill(CUSTOMER)
    carol.get_by_label("Tenant domain").fill("northwind.partner.onmschina.cn")
    carol.get_by_role("button", name="Create and continue").click()
    confirm_sign_up(carol, CAROL)
    see(carol, f"{CUSTOMER} was created and you are its admin")
    arrive(carol, f"Invitation from {PROVIDER}")
    decision = carol.get_by_role("region", name="Your decision")
    preview = decision.get_by_role("table")
    for service in (OFFICE, AZURE):
        row = preview.get_by_role("row").filter(has_text=service)
        expect(row).to_contain_text("No partner")
        expect(row).to_contain_text(f"{RESELLER} receives delegated admin (provisioning, support)")
    decision.get_by_role("button", name="Accept", exact=True).click()
    see(carol, f"{CUSTOMER} accepted the invitation from {PROVIDER}")
    arrive(carol, CUSTOMER)
    expect(carol).to_have_url(re.compile(r"/relationships/$"))
    # Northwind is an unverified claim: delegated admin waits, and the partners are told so
    see(carol, "Your tenant domain is not verified yet")
    by_service = carol.get_by_role("table").first
    for service in (OFFICE, AZURE):
        expect(by_service.get_by_role("row").filter(has_text=service)).to_contain_text("No partner")
    assert any("has not verified its tenant domain yet" in m.body for m in emails_to(RITA))

    # -- 4b. Carol proves the tenant with the TXT record (served by the test resolver) -----------
    tabs = carol.get_by_role("navigation", name="Organization")
    tabs.get_by_role("link", name="Overview").click()
    arrive(carol, CUSTOMER)
    see(carol, "Unverified")
    value = carol.locator("#txt-value").inner_text()
    assert value.startswith("partner-portal-verification=")
    settings.TENANT_DNS_STATIC_RECORDS = {"northwind.partner.onmschina.cn": [value]}
    carol.get_by_role("button", name="Check the TXT record now").click()
    see(carol, "northwind.partner.onmschina.cn is verified")
    assert_accessible(carol)
    # the operator's import of the tenant's existing subscriptions (import_subscriptions)
    subscription_import(
        rows=[
            {
                "customer": "northwind.partner.onmschina.cn",
                "service": "office365",
                "subscription_id": "NW-0001",
                "seats": "40",
                "status": "active",
                "purchase_channel": "operator_direct",
                "partner_of_record": "",
            }
        ]
    )
    tabs.get_by_role("link", name="Partner relationships").click()
    arrive(carol, CUSTOMER)
    by_service = carol.get_by_role("table").first
    for service in (OFFICE, AZURE):
        expect(by_service.get_by_role("row").filter(has_text=service)).to_contain_text(RESELLER)
    expect(by_service.get_by_role("row").filter(has_text=OFFICE)).to_contain_text("1 subscription")

    # -- 5. Carol moves DAP for Office 365 to Tailspin (with Tailspin's consent: she asks by its
    #       partner ID, Tom confirms) and removes it for Azure with a reason ---------------------
    mail.outbox.clear()
    carol.get_by_role("link", name="Ask a partner by partner ID").click()
    arrive(carol, CUSTOMER)
    carol.get_by_label("Partner ID").fill(tailspin.public_id)
    carol.get_by_label(OFFICE).check()
    carol.get_by_label("Provisioning").check()
    carol.get_by_label("Support").check()
    carol.get_by_label("Duration (days)").fill("365")
    carol.get_by_role("button", name="Send the request").click()
    see(carol, f"Your request was sent to {SECOND_RESELLER}")
    assert_accessible(carol)
    assert emails_to(TOM), "Tailspin's admin is asked to confirm"
    tom.goto(f"{live_server.url}/p/{tailspin.public_id}/dap-requests/")
    arrive(tom, SECOND_RESELLER)
    tom.get_by_role("link", name=re.compile("Confirm or decline")).click()
    arrive(tom, SECOND_RESELLER)
    expect(tom.get_by_role("table")).to_contain_text(f"Moves to {SECOND_RESELLER}")
    assert_accessible(tom)
    tom.get_by_role("button", name="Confirm: hold delegated admin").click()
    see(tom, "You confirmed: you now hold delegated admin.")
    carol.goto(
        f"{live_server.url}/c/{Customer.objects.get(name=CUSTOMER).public_id}/relationships/"
    )
    arrive(carol, CUSTOMER)

    carol.get_by_role("link", name=f"Remove delegated admin for {AZURE}", exact=True).click()
    arrive(carol, CUSTOMER)
    see(carol, f"{RESELLER} will no longer hold delegated admin")
    carol.get_by_label("Reason").fill("We run Azure ourselves from now on.")
    carol.get_by_role("button", name="Remove delegated admin").click()
    see(carol, f"Delegated admin for {AZURE} was removed from {RESELLER}.")
    assert_accessible(carol)
    by_service = carol.get_by_role("table").first
    expect(by_service.get_by_role("row").filter(has_text=OFFICE)).to_contain_text(SECOND_RESELLER)
    expect(by_service.get_by_role("row").filter(has_text=AZURE)).to_contain_text("No partner")
    relationships = carol.get_by_role("table").nth(1)
    expect(relationships.get_by_role("row").filter(has_text=PROVIDER)).to_contain_text(RESELLER)
    expect(relationships.get_by_role("row").filter(has_text=PROVIDER)).to_contain_text("Active")
    # the partners concerned are told
    assert emails_to(RITA), "Fabrikam's admin is told it lost delegated admin"
    assert emails_to(TOM), "Tailspin's admin is told it received delegated admin"
    assert any("We run Azure ourselves" in m.body for m in emails_to(RITA))

    # -- 6. Provider and both resellers see Northwind with what each may administer -------------
    ada.get_by_role("link", name="Customers", exact=True).click()
    arrive(ada, PROVIDER)
    row = ada.get_by_role("row").filter(has_text=CUSTOMER)
    expect(row).to_contain_text(RESELLER)  # the reseller attached to the relationship
    expect(row).to_contain_text(f"{OFFICE}: {SECOND_RESELLER} (provisioning, support)")
    expect(row).not_to_contain_text(AZURE)
    row.get_by_role("link", name=CUSTOMER).click()
    arrive(ada, PROVIDER)
    see(ada, SECOND_RESELLER)

    # the acceptance is attributed to Rita's forward on the invitation's page
    ada.get_by_role("link", name="Invitations", exact=True).click()
    ada.get_by_role("link", name=invitation_id).click()
    arrive(ada, PROVIDER)
    answers = ada.get_by_role("region", name="Customer answers")
    answer = answers.get_by_role("row").filter(has_text=CUSTOMER)
    expect(answer.get_by_role("cell").nth(1)).to_have_text("Accepted")
    expect(answer.get_by_role("cell").nth(2)).to_have_text(
        re.compile(re.escape(CAROL) + rf"\s*{RESELLER}")
    )

    rita.get_by_role("link", name="Customers", exact=True).click()
    arrive(rita, RESELLER)
    row = rita.get_by_role("row").filter(has_text=CUSTOMER)
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text("Nothing")

    open_organization(tom, SECOND_RESELLER)
    tom.get_by_role("link", name="Customers", exact=True).click()
    arrive(tom, SECOND_RESELLER)
    row = tom.get_by_role("row").filter(has_text=CUSTOMER)
    expect(row).to_contain_text(f"{OFFICE}: you (provisioning, support)")

    # -- 7. The auditor follows the story in admin and cannot change it --------------------------
    follow_the_story_as_auditor(auditor, live_server, invitation_id)
    assert provider.memberships.count() == 1
    # No script error, no Content-Security-Policy violation, no missing file. axe-core itself
    # adds a <style> element while it scans Django's admin forms, which the policy blocks (and
    # reports without a source): that one is the scanner's, not the portal's.
    errors = [m for m in console_messages if not (AXE_STYLE in m and m.endswith("()"))]
    assert errors == [], "\n".join(errors)


def follow_the_story_as_auditor(auditor: Page, live_server, invitation_id: str) -> None:
    """Relationships, grants, the invitation, its deliveries and answers, the audit log; no
    way to change anything, and a change posted by hand is refused."""
    login(auditor, live_server, AUDITOR, factories.PASSWORD)
    auditor.get_by_role("link", name="Operator admin", exact=True).click()
    arrive(auditor, "Operator administration")
    models = auditor.locator("#content-main")
    expect(models.get_by_role("link", name=re.compile(r"^View$"))).not_to_have_count(0)
    expect(models.get_by_role("link", name=re.compile(r"^(Add|Change)$"))).to_have_count(0)
    no_actions = auditor.get_by_role("combobox", name=re.compile("^Action"))

    open_admin_list(auditor, "customers", "resellerrelationship", "Reseller relationships")
    arrive(auditor, "Select reseller relationship to view")
    expect(no_actions).to_have_count(0)
    row = auditor.get_by_role("row").filter(has_text=CUSTOMER)
    expect(row).to_contain_text(PROVIDER)
    expect(row).to_contain_text(RESELLER)
    row.get_by_role("link").first.click()
    arrive(auditor, "View reseller relationship")
    expect(auditor.get_by_role("button", name=re.compile("Save"))).to_have_count(0)
    relationship_url = auditor.url
    csrf = next(c["value"] for c in auditor.context.cookies() if c["name"] == "csrftoken")
    refused = auditor.request.post(
        relationship_url,
        form={"csrfmiddlewaretoken": csrf, "state": "ended", "end_reason": "tampering"},
        headers={"Referer": relationship_url},
    )
    assert refused.status == 403, refused.status

    open_admin_list(auditor, "customers", "delegatedadmingrant", "Delegated admin grants")
    arrive(auditor, "Select delegated admin grant to view")
    expect(no_actions).to_have_count(0)
    grants = auditor.get_by_role("row").filter(has_text=CUSTOMER)
    expect(grants).to_have_count(3)  # Office 365 and Azure for Fabrikam, then Office 365 moved
    expect(grants.filter(has_text=SECOND_RESELLER)).to_contain_text(OFFICE)

    open_admin_list(auditor, "invitations", "invitation", "Invitations")
    arrive(auditor, "Select invitation to view")
    auditor.get_by_role("link", name=invitation_id).click()
    arrive(auditor, "View invitation")
    see(auditor, RESELLER)
    expect(auditor.get_by_role("button", name=re.compile("Save|Revoke"))).to_have_count(0)

    open_admin_list(auditor, "invitations", "delivery", "Deliveries")
    arrive(auditor, "Select delivery to view")
    expect(auditor.get_by_role("row").filter(has_text=CAROL)).to_contain_text(RESELLER)

    open_admin_list(auditor, "invitations", "acceptance", "Acceptances")
    arrive(auditor, "Select acceptance to view")
    expect(auditor.get_by_role("row").filter(has_text=invitation_id)).to_contain_text(CUSTOMER)

    open_admin_list(auditor, "audit", "auditevent", "Audit events")
    arrive(auditor, "Select audit event to view")
    expect(no_actions).to_have_count(0)
    customer_id = Customer.objects.get(name=CUSTOMER).public_id  # shown in the customer admin
    auditor.get_by_label("Customer (concerned or acting)").fill(customer_id)
    auditor.get_by_label("Customer (concerned or acting)").press("Enter")
    arrive(auditor, "Select audit event to view")
    log = auditor.locator("#result_list")
    for action in (
        "customer.created",
        "invitation.accepted",
        "relationship.created",
        "grant.created",
        "grant.moved",
        "grant.removed",
    ):
        expect(log).to_contain_text(action)
