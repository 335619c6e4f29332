"""Issue 16, point 12: a refusal keeps the organization's navigation and speaks to the person
refused (a provider's Helpdesk agent hears about its role, not about resellers)."""

from django.urls import reverse

from apps.partners.mixins import denial_reason
from apps.partners.models import PartnerMembership


def test_the_helpdesk_agent_is_told_about_its_role_not_about_resellers(cast, client):
    client.force_login(cast.provider_helpdesk)
    for name in ("invitations:create", "invitations:list"):
        response = client.get(reverse(name, args=[cast.provider.public_id]))
        assert response.status_code == 403
        html = response.content.decode()
        assert "reseller" not in response.context["message"].lower()
        assert "Your role, Helpdesk agent, does not include this" in html
        assert "Sales agent" in html  # who in Contoso can


def test_a_reseller_is_told_that_only_providers_create_invitations(cast, client):
    client.force_login(cast.reseller_admin)
    response = client.get(reverse("invitations:create", args=[cast.reseller.public_id]))
    assert response.status_code == 403
    assert "Only providers" in response.context["message"]


def test_the_403_page_keeps_the_organizations_navigation(cast, client):
    client.force_login(cast.provider_helpdesk)
    response = client.get(reverse("invitations:create", args=[cast.provider.public_id]))
    html = response.content.decode()
    assert response.status_code == 403
    # the organization's tabs: Overview and the Customers tab the agent may open
    assert reverse("partners:home", args=[cast.provider.public_id]) in html
    assert reverse("customers:partner_customers", args=[cast.provider.public_id]) in html
    assert 'aria-label="Organization"' in html
    # but not the Invitations tab it may not open
    assert f'href="{reverse("invitations:list", args=[cast.provider.public_id])}"' not in html


def test_an_outsider_still_gets_404_without_the_organizations_name(cast, client):
    client.force_login(cast.outsider)
    response = client.get(reverse("invitations:create", args=[cast.provider.public_id]))
    assert response.status_code == 404
    assert "Contoso" not in response.content.decode()


def test_global_admin_only_actions_still_say_so(cast):
    agent = PartnerMembership.objects.get(user=cast.provider_agent, partner=cast.provider)
    assert str(denial_reason(agent, "team.manage")).startswith("Only Global admins")
