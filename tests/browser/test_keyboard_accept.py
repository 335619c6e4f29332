"""A customer admin answers an invitation with the keyboard only: Tab to move, Space to choose,
Enter to follow a link or submit. No mouse click anywhere."""

import re

import pytest
from playwright.sync_api import expect

from apps.customers.models import DelegatedAdminGrant
from apps.customers.services import grant_set, relationship_get_or_create
from apps.invitations.services import invitation_create
from apps.invitations.tokens import invitation_token, link_path
from tests import factories

from .journey import arrive, focus_is_visible, see, tab_to

pytestmark = pytest.mark.browser


def test_a_customer_admin_signs_in_and_accepts_with_tab_space_and_enter(
    page, live_server, cast, services
):
    office, azure = services["office365"], services["azure"]
    # Northwind works with Contoso directly today, and Contoso holds delegated admin for Azure
    relationship, _ = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, by=cast.customer_admin
    )
    grant_set(
        customer=cast.customer,
        service=azure,
        partner=cast.provider,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        relationship=relationship,
        notify=False,
    )
    invitation = invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        reseller=cast.reseller,
        requests_dap=True,
        services=[office, azure],
        dap_provisioning=True,
        dap_support=True,
    )

    page.goto(link_path(invitation_token(invitation)))
    arrive(page, f"Invitation from {cast.provider.name}")
    decision = page.get_by_role("region", name="Your decision")

    sign_in = decision.get_by_role("link", name="Sign in")
    tab_to(page, sign_in)
    page.keyboard.press("Enter")
    arrive(page, "Sign in")
    tab_to(page, page.get_by_label("Email"))
    page.keyboard.type(cast.customer_admin.email)
    tab_to(page, page.get_by_label("Password"))
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")

    # back on the invitation: Azure is held by Contoso, so the customer chooses to move it
    arrive(page, f"Invitation from {cast.provider.name}")
    azure_row = decision.get_by_role("row").filter(has_text=azure.name)
    expect(azure_row).to_contain_text(f"{cast.provider.name} holds delegated admin")
    move = decision.get_by_role("radio", name=re.compile(f"^Move it to {cast.reseller.name}"))
    tab_to(page, move)
    assert focus_is_visible(move)
    page.keyboard.press("Space")
    expect(move).to_be_checked()

    accept = decision.get_by_role("button", name="Accept", exact=True)
    tab_to(page, accept)
    assert focus_is_visible(accept)
    page.keyboard.press("Enter")

    see(page, f"{cast.customer.name} accepted the invitation from {cast.provider.name}")
    arrive(page, cast.customer.name)
    by_service = page.get_by_role("table").first
    for service in (office, azure):
        expect(by_service.get_by_role("row").filter(has_text=service.name)).to_contain_text(
            cast.reseller.name
        )
    holders = DelegatedAdminGrant.objects.active().filter(customer=cast.customer)
    assert {g.partner_id for g in holders} == {cast.reseller.pk}
