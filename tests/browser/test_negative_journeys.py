"""What must not work, tried in Chromium the way people would try it: a reseller looking for a
way to create an invitation, dead and damaged links, a used personal link opened again.

The invitations exist before each story starts (built with the services); the people then act
by clicking and typing. Every page they reach must pass axe.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.customers.models import CustomerMembership, ResellerRelationship
from apps.invitations.models import Invitation
from apps.invitations.services import invitation_create
from apps.invitations.tokens import invitation_token, link_path
from tests import factories

from .conftest import assert_accessible, login
from .journey import arrive, link_in_last_email, see

pytestmark = pytest.mark.browser


@pytest.fixture
def for_fabrikam(cast, services) -> Invitation:
    """Contoso's open invitation for its reseller Fabrikam, asking DAP for Office 365."""
    return invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        reseller=cast.reseller,
        requests_dap=True,
        services=[services["office365"]],
        dap_provisioning=True,
    )


def test_a_reseller_finds_no_way_to_create_an_invitation(page, live_server, cast, for_fabrikam):
    login(page, live_server, cast.reseller_admin.email, factories.PASSWORD)
    # one organization: the reseller lands on it directly (issue 16)
    arrive(page, cast.reseller.name)
    new_invitation = page.get_by_role("link", name=re.compile("new invitation", re.I))
    create_button = page.get_by_role("button", name=re.compile("create", re.I))
    expect(new_invitation).to_have_count(0)

    # the invitations its provider issued for it: forward, yes; create, nowhere
    page.get_by_role("link", name="Invitations", exact=True).click()
    arrive(page, cast.reseller.name)
    see(page, "your providers create invitations, you cannot")
    expect(page.get_by_role("link", name=for_fabrikam.public_id)).to_be_visible()
    expect(new_invitation).to_have_count(0)
    expect(create_button).to_have_count(0)
    page.get_by_role("link", name=for_fabrikam.public_id).click()
    arrive(page, cast.reseller.name)
    expect(page.get_by_role("button", name="Forward")).to_be_visible()
    expect(new_invitation).to_have_count(0)
    expect(create_button).to_have_count(0)

    # the creation page typed by hand: its own organization is refused, another's is not found
    own = reverse("invitations:create", kwargs={"partner_id": cast.reseller.public_id})
    response = page.goto(own)
    assert response.status == 403
    arrive(page, cast.reseller.name)  # the refusal keeps the organization's navigation
    expect(page.get_by_role("heading", level=2, name="Not allowed")).to_be_visible()
    expect(page.get_by_role("textbox")).to_have_count(0)
    providers = reverse("invitations:create", kwargs={"partner_id": cast.provider.public_id})
    assert page.goto(providers).status == 404
    arrive(page, re.compile("not found", re.I))

    # and a form posted by hand, with a valid CSRF token, creates nothing
    page.goto(reverse("invitations:list", kwargs={"partner_id": cast.reseller.public_id}))
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    posted = page.request.post(
        live_server.url + own,
        form={"csrfmiddlewaretoken": csrf, "kind": "open", "valid_days": "30"},
        headers={"Referer": live_server.url + own},
    )
    assert posted.status == 403
    assert Invitation.objects.count() == 1


def test_a_revoked_link_and_a_tampered_link_show_their_pages(
    page, open_person, live_server, cast, for_fabrikam
):
    link = link_path(invitation_token(for_fabrikam))
    customer = open_person("customer")
    customer.goto(link)
    arrive(customer, f"Invitation from {cast.provider.name}")

    # the provider revokes it from the invitation's page
    login(page, live_server, cast.provider_admin.email, factories.PASSWORD)
    page.goto(
        reverse(
            "invitations:detail",
            kwargs={"partner_id": cast.provider.public_id, "invitation_id": for_fabrikam.public_id},
        )
    )
    page.get_by_role("link", name="Revoke").click()
    see(page, "Customers who already accepted keep their relationship")  # what will happen
    assert_accessible(page)
    page.get_by_role("button", name="Revoke invitation").click()
    see(page, f"Invitation {for_fabrikam.public_id} is revoked")
    assert_accessible(page)

    # the customer's open page and the link itself now say so, and name nobody
    customer.reload()
    arrive(customer, "This invitation was revoked")
    response = customer.goto(link)
    assert response.status == 410
    arrive(customer, "This invitation was revoked")
    expect(customer.get_by_role("main")).not_to_contain_text(cast.provider.name)
    expect(customer.get_by_role("button", name="Accept")).to_have_count(0)

    # a link changed on the way (one character of its signature) is damaged, not "unknown"
    last = link[-2]
    tampered = link[:-2] + ("A" if last != "A" else "B") + "/"
    response = customer.goto(tampered)
    assert response.status == 404
    arrive(customer, "This invitation link is damaged")
    see(customer, "Nothing was changed for your organization.")
    response = customer.goto(link_path("i" + "x" * 22 + ".not-a-signature"))
    assert response.status == 404
    arrive(customer, "This invitation link is not valid")


def test_a_second_customer_admin_opening_a_used_personal_link_is_told_it_was_used(
    open_person, live_server, cast, services
):
    colleague = factories.make_user("it@northwind.test", display_name="Ian")
    CustomerMembership.objects.create(user=colleague, customer=cast.customer)
    invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        kind=Invitation.Kind.PERSONAL,
        recipient_email=cast.customer_admin.email,
        send_to_recipient=True,
    )
    link = link_in_last_email(cast.customer_admin.email)

    # the recipient signs in from the invitation and accepts it for Northwind
    first = open_person("first-admin")
    first.goto(link)
    arrive(first, f"Invitation from {cast.provider.name}")
    decision = first.get_by_role("region", name="Your decision")
    decision.get_by_role("link", name="Sign in").click()
    first.get_by_label("Email").fill(cast.customer_admin.email)
    first.get_by_label("Password").fill(factories.PASSWORD)
    first.get_by_role("button", name="Sign in").click()
    arrive(first, f"Invitation from {cast.provider.name}")
    decision.get_by_role("button", name="Accept", exact=True).click()
    see(first, f"{cast.customer.name} accepted the invitation from {cast.provider.name}")
    assert ResellerRelationship.objects.filter(customer=cast.customer).count() == 1

    # the email is forwarded to a colleague, also an admin of Northwind, who opens it later
    second = open_person("second-admin")
    login(second, live_server, colleague.email, factories.PASSWORD)
    response = second.goto(link)
    assert response.status == 410
    arrive(second, "This invitation was already used")
    see(second, "Partner relationships page")
    expect(second.get_by_role("button", name="Accept")).to_have_count(0)
    assert ResellerRelationship.objects.filter(customer=cast.customer).count() == 1
