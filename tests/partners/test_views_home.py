from django.urls import reverse

from apps.partners.models import Role
from tests import factories


def test_a_user_in_several_organizations_switches_between_them(cast, client):
    factories.make_member(cast.reseller, Role.HELPDESK_AGENT, user=cast.provider_sales)
    client.force_login(cast.provider_sales)
    dashboard = client.get(reverse("dashboard")).content.decode()
    provider_url = reverse("partners:home", args=[cast.provider.public_id])
    reseller_url = reverse("partners:home", args=[cast.reseller.public_id])
    assert provider_url in dashboard and reseller_url in dashboard
    # the organization in the URL decides the role: Sales agent here, Helpdesk agent there
    assert "Sales agent" in client.get(provider_url).content.decode()
    assert "Helpdesk agent" in client.get(reseller_url).content.decode()
    assert (
        client.get(reverse("partners:providers", args=[cast.reseller.public_id])).status_code == 200
    )
    assert (
        client.get(reverse("partners:resellers", args=[cast.reseller.public_id])).status_code == 403
    )
    assert (
        client.get(reverse("partners:resellers", args=[cast.provider.public_id])).status_code == 200
    )


def test_the_home_page_suggests_next_steps_by_role(cast, client):
    client.force_login(cast.provider_admin)
    page = client.get(reverse("partners:home", args=[cast.provider.public_id])).content.decode()
    assert "Invite your team" in page and "Invite a reseller" in page
    client.force_login(cast.reseller_admin)
    page = client.get(reverse("partners:home", args=[cast.reseller.public_id])).content.decode()
    assert "Request a link from a provider" in page and "Invite a reseller" not in page


def test_an_unknown_organization_is_404(cast, client):
    client.force_login(cast.provider_admin)
    assert client.get(reverse("partners:team", args=["PNOSUCHORG1"])).status_code == 404
