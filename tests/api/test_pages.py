"""The Global admin's pages: API keys (shown once, revoke) and webhooks (add, log, resend)."""

from django.urls import reverse

from apps.api.models import ApiKey, WebhookDelivery, WebhookEndpoint
from apps.partners.permissions import Role

from .conftest import make_key


def _keys_url(cast):
    return reverse("automation:keys", kwargs={"partner_id": cast.provider.public_id})


def test_a_global_admin_creates_a_key_and_sees_it_once(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(_keys_url(cast), {"name": "CRM sync", "role": Role.SALES_AGENT})
    assert response.status_code == 200
    key = ApiKey.objects.get()
    html = response.content.decode()
    assert f"pp_{key.prefix}_" in html
    again = client.get(_keys_url(cast)).content.decode()
    assert "CRM sync" in again and f"pp_{key.prefix}_" not in again


def test_bad_key_input_is_shown_on_the_form(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(
        _keys_url(cast), {"name": "x", "role": Role.SALES_AGENT, "expires_on": "2001-01-01"}
    )
    assert response.status_code == 200
    assert "after today" in response.content.decode()
    assert not ApiKey.objects.exists()
    assert client.post(_keys_url(cast), {"name": "", "role": "boss"}).status_code == 200
    assert not ApiKey.objects.exists()


def test_other_roles_and_outsiders_cannot_create_keys(cast, client):
    client.force_login(cast.provider_agent)
    assert client.post(_keys_url(cast), {"name": "x", "role": "sales_agent"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(_keys_url(cast), {"name": "x", "role": "sales_agent"}).status_code == 404
    assert not ApiKey.objects.exists()


def test_revoking_from_the_page(cast, client):
    key, _secret = make_key(cast.provider, cast.provider_admin)
    client.force_login(cast.provider_admin)
    url = reverse(
        "automation:key_revoke", kwargs={"partner_id": cast.provider.public_id, "key_id": key.pk}
    )
    assert client.post(url).status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    # Twice: a clear message, nothing breaks
    assert client.post(url, follow=True).status_code == 200
    # Another organization's key id: 404
    other, _ = make_key(cast.other_provider, cast.outsider)
    url = reverse(
        "automation:key_revoke", kwargs={"partner_id": cast.provider.public_id, "key_id": other.pk}
    )
    assert client.post(url).status_code == 404
    other.refresh_from_db()
    assert other.revoked_at is None


def test_a_key_is_not_listed_on_the_team_page(cast, client):
    make_key(cast.provider, cast.provider_admin, name="Robot")
    client.force_login(cast.provider_admin)
    html = client.get(
        reverse("partners:team", kwargs={"partner_id": cast.provider.public_id})
    ).content.decode()
    assert "api-keys.invalid" not in html


def test_webhook_pages_add_show_log_and_resend(cast, client, settings):
    client.force_login(cast.provider_admin)
    url = reverse("automation:webhooks", kwargs={"partner_id": cast.provider.public_id})
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    refused = client.post(url, {"url": "http://127.0.0.1/x", "event_types": ["grant.moved"]})
    assert refused.status_code == 200
    assert not WebhookEndpoint.objects.exists()
    response = client.post(
        url, {"url": "https://93.184.215.14/hooks", "event_types": ["grant.moved"]}
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        message_id="msg_1",
        event_type="grant.moved",
        payload={},
        status=WebhookDelivery.Status.FAILED,
        attempts=8,
        response_status=500,
        response_ms=42,
        error="HTTP 500",
    )
    page = client.get(response["Location"]).content.decode()
    assert "msg_1" in page and "42 ms" in page and endpoint.secret in page
    resend = reverse(
        "automation:delivery_resend",
        kwargs={
            "partner_id": cast.provider.public_id,
            "endpoint_id": endpoint.pk,
            "delivery_id": delivery.pk,
        },
    )
    settings.WEBHOOKS_DELIVER_ON_COMMIT = False
    assert client.post(resend).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING
    # Only a failed one can be resent
    assert client.post(resend, follow=True).status_code == 200
    delivery.refresh_from_db()
    assert delivery.attempts == 0


def test_the_delivery_log_costs_the_same_queries_at_two_sizes(
    cast, client, django_assert_max_num_queries
):
    endpoint = WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://93.184.215.14/h", event_types=["grant.moved"]
    )
    client.force_login(cast.provider_admin)
    url = reverse(
        "automation:webhook",
        kwargs={"partner_id": cast.provider.public_id, "endpoint_id": endpoint.pk},
    )
    for size in (2, 30):
        WebhookDelivery.objects.bulk_create(
            WebhookDelivery(
                endpoint=endpoint, message_id=f"m{size}-{i}", event_type="grant.moved", payload={}
            )
            for i in range(size)
        )
        with django_assert_max_num_queries(16):
            assert client.get(url).status_code == 200


def test_api_lists_cost_the_same_queries_at_two_sizes(
    cast, provider_api, django_assert_max_num_queries
):
    from tests.invitations.builders import make_invitation

    for size in (2, 40):
        for _ in range(size):
            make_invitation(cast.provider, cast.reseller)
        for path in ("/api/v1/invitations/", "/api/v1/audit-events/", "/api/v1/customers/"):
            with django_assert_max_num_queries(14):
                assert provider_api.get(path).status_code == 200
