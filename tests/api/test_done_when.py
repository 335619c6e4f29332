"""The issue's "done when": a provider key creates an invitation for its reseller, the
reseller key forwards it, the customer accepts through the pages, and a signed webhook reaches
a receiver that verifies it. (tests/browser/test_api_journey.py does the acceptance in
Chromium.)"""

import pytest
from django.urls import reverse

from apps.api.services import webhook_endpoint_create
from apps.invitations.models import Delivery
from apps.invitations.tokens import delivery_token, link_path
from apps.partners.permissions import Role

from .conftest import KeyClient, make_key
from .receiver import Receiver


@pytest.mark.django_db(transaction=True)
def test_provider_key_creates_reseller_key_forwards_customer_accepts_webhook_verifies(
    cast, services, client
):
    _pk, provider_secret = make_key(cast.provider, cast.provider_admin, Role.SALES_AGENT)
    _rk, reseller_secret = make_key(cast.reseller, cast.reseller_admin, Role.ADMIN_AGENT)
    provider_api, reseller_api = KeyClient(provider_secret), KeyClient(reseller_secret)
    with Receiver() as receiver:
        endpoint = webhook_endpoint_create(
            partner=cast.provider,
            url=receiver.url,
            event_types=["invitation.accepted"],
            by=cast.provider_admin,
        )
        receiver.secret = endpoint.secret

        created = provider_api.post(
            "/api/v1/invitations/",
            {
                "reseller": cast.reseller.public_id,
                "requests_dap": True,
                "services": ["office365"],
                "provisioning": True,
            },
            format="json",
        )
        assert created.status_code == 201, created.content
        invitation_id = created.json()["id"]

        forwarded = reseller_api.post(
            f"/api/v1/invitations/{invitation_id}/deliveries/",
            {"emails": [cast.customer_admin.email]},
            format="json",
        )
        assert forwarded.status_code == 201, forwarded.content
        delivery = Delivery.objects.get(pk=forwarded.json()[0]["id"])
        assert delivery.sent_by_partner == cast.reseller

        # The customer admin opens the forwarded link and accepts
        client.force_login(cast.customer_admin)
        opened = client.get(link_path(delivery_token(delivery)))
        assert opened.status_code == 302
        assert client.get(opened["Location"]).status_code == 200
        accepted = client.post(reverse("invitations:accept"), {"customer": cast.customer.public_id})
        assert accepted.status_code == 302

    assert receiver.rejected == []
    [message] = receiver.received
    payload = message["payload"]
    assert payload["type"] == "invitation.accepted"
    assert payload["data"]["customer"] == cast.customer.public_id
    assert cast.reseller.public_id in payload["data"]["partners"]
    # The delivery's state, as the reseller's key reads it: sent, opened, accepted
    [row] = reseller_api.get(f"/api/v1/invitations/{invitation_id}/deliveries/").json()["results"]
    assert row["opened_at"] and row["accepted_count"] == 1
