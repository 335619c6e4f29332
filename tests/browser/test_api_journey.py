"""The API's "done when" in a real browser: a provider key creates an invitation for its
reseller, the reseller key forwards it, the customer admin accepts in Chromium, and a signed
webhook reaches a receiver that verifies it (Standard Webhooks)."""

import time

import pytest
import requests
from playwright.sync_api import expect

from apps.api.services import api_key_create, webhook_endpoint_create
from apps.invitations.models import Delivery
from apps.invitations.tokens import delivery_token, link_path
from apps.partners.permissions import Role
from tests import factories
from tests.api.receiver import Receiver

from .journey import arrive

pytestmark = pytest.mark.browser


def test_api_keys_create_and_forward_and_the_acceptance_fires_a_signed_webhook(
    page, live_server, cast, services
):
    _pk, provider_secret = api_key_create(
        partner=cast.provider, name="CRM", role=Role.SALES_AGENT, by=cast.provider_admin
    )
    _rk, reseller_secret = api_key_create(
        partner=cast.reseller, name="Mailer", role=Role.ADMIN_AGENT, by=cast.reseller_admin
    )
    api = f"{live_server.url}/api/v1"
    with Receiver() as receiver:
        endpoint = webhook_endpoint_create(
            partner=cast.provider,
            url=receiver.url,
            event_types=["invitation.accepted"],
            by=cast.provider_admin,
        )
        receiver.secret = endpoint.secret
        created = requests.post(
            f"{api}/invitations/",
            json={"reseller": cast.reseller.public_id},
            headers={"Authorization": f"Bearer {provider_secret}"},
            timeout=10,
        )
        assert created.status_code == 201, created.text
        invitation_id = created.json()["id"]
        forwarded = requests.post(
            f"{api}/invitations/{invitation_id}/deliveries/",
            json={"emails": [cast.customer_admin.email]},
            headers={"Authorization": f"Bearer {reseller_secret}"},
            timeout=10,
        )
        assert forwarded.status_code == 201, forwarded.text
        delivery = Delivery.objects.get(pk=forwarded.json()[0]["id"])

        page.goto(live_server.url + link_path(delivery_token(delivery)))
        arrive(page, f"Invitation from {cast.provider.name}")
        decision = page.get_by_role("region", name="Your decision")
        decision.get_by_role("link", name="Sign in").click()
        page.get_by_label("Email").fill(cast.customer_admin.email)
        page.get_by_label("Password").fill(factories.PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        arrive(page, f"Invitation from {cast.provider.name}")
        decision.get_by_role("button", name="Accept", exact=True).click()
        expect(page.get_by_text(f"{cast.customer.name} accepted the invitation")).to_be_visible()

        deadline = time.monotonic() + 10
        while not receiver.received and time.monotonic() < deadline:
            time.sleep(0.1)
    assert receiver.rejected == []
    [message] = receiver.received
    assert message["payload"]["type"] == "invitation.accepted"
    assert message["payload"]["data"]["customer"] == cast.customer.public_id
