"""The automation API (apps/api).

/api/v1/ takes API keys only: a signed-in person's session is no credential there, so every
role of the matrix gets 401 (the key matrix is tests/api/test_key_matrix.py). The schema and
the docs are public. The API-key and webhook pages are for the organization's Global admins."""

from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.services import api_key_create
from apps.partners.models import Role

from . import Route, expect
from .rows_partners import provider_kw, provider_page, reseller_kw, reseller_page

API_401 = expect(401)


def _invitation_kw(cast):
    return {"invitation_id": "INV-NOPE"}


def _customer_kw(cast):
    return {"customer_id": cast.customer.public_id}


def _key_kw(cast):
    key, _secret = api_key_create(
        partner=cast.provider, name="CRM", role=Role.SALES_AGENT, by=cast.provider_admin
    )
    return {**provider_kw(cast), "key_id": key.pk}


def _endpoint(cast):
    return WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/portal", event_types=["grant.moved"]
    )


def _endpoint_kw(cast):
    return {**provider_kw(cast), "endpoint_id": _endpoint(cast).pk}


def _delivery_kw(cast):
    endpoint = _endpoint(cast)
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_authz",
        event_type="grant.moved",
        payload={},
        status=WebhookDelivery.Status.FAILED,
    )
    return {**provider_kw(cast), "endpoint_id": endpoint.pk, "delivery_id": delivery.pk}


ROWS = [
    Route("api:me", API_401),
    Route("api:invitations", API_401),
    Route("api:invitations", API_401, method="post"),
    Route("api:invitation", API_401, kwargs=_invitation_kw),
    Route("api:invitation-revoke", API_401, kwargs=_invitation_kw, method="post"),
    Route("api:invitation-extend", API_401, kwargs=_invitation_kw, method="post"),
    Route("api:invitation-deliveries", API_401, kwargs=_invitation_kw),
    Route("api:customers", API_401),
    Route("api:customer", API_401, kwargs=_customer_kw),
    Route("api:relationships", API_401),
    Route("api:grants", API_401),
    Route("api:partnerships", API_401),
    Route("api:audit-events", API_401),
    Route("api:schema", expect(200)),
    Route("api:docs", expect(200)),
    # Pages: Global admins only
    Route("automation:keys", provider_page(403, admin=200), kwargs=provider_kw),
    Route("automation:keys", reseller_page(200), kwargs=reseller_kw),
    Route("automation:key_revoke", provider_page(403, admin=405), kwargs=_key_kw),
    Route("automation:webhooks", provider_page(403, admin=200), kwargs=provider_kw),
    Route("automation:webhook", provider_page(403, admin=200), kwargs=_endpoint_kw),
    Route("automation:webhook_remove", provider_page(403, admin=405), kwargs=_endpoint_kw),
    Route("automation:delivery_resend", provider_page(403, admin=405), kwargs=_delivery_kw),
]
