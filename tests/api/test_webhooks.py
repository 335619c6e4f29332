"""Webhooks: signed deliveries from the audit event stream, retries, resend, SSRF refusal."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.api import webhooks
from apps.api.models import WebhookDelivery, WebhookEndpoint
from apps.api.services import (
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_remove,
)
from apps.api.ssrf import validate_webhook_url
from apps.audit.models import AuditEvent
from apps.audit.services import audit_record
from apps.partners.services import partnership_suspend

from .receiver import Receiver


def _endpoint(cast, url, events=("partnership.changed",)):
    return webhook_endpoint_create(
        partner=cast.provider, url=url, event_types=list(events), by=cast.provider_admin
    )


def _suspend(cast):
    from apps.partners.models import ResellerPartnership

    partnership = ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)
    partnership_suspend(
        partnership=partnership, by=cast.provider_admin, acting_partner=cast.provider
    )


@pytest.mark.django_db(transaction=True)
def test_a_domain_change_sends_a_signed_webhook_the_receiver_verifies(cast):
    with Receiver() as receiver:
        endpoint = _endpoint(cast, receiver.url)
        receiver.secret = endpoint.secret
        _suspend(cast)
    assert receiver.rejected == []
    [message] = receiver.received
    assert message["payload"]["type"] == "partnership.changed"
    assert message["payload"]["data"]["action"] == "partnership.suspended"
    assert cast.reseller.public_id in message["payload"]["data"]["partners"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert delivery.message_id == message["id"]
    assert delivery.response_status == 200
    assert delivery.response_ms is not None


@pytest.mark.django_db(transaction=True)
def test_a_wrong_secret_does_not_verify(cast):
    with Receiver(secret="whsec_" + "A" * 32) as receiver:
        _endpoint(cast, receiver.url)
        _suspend(cast)
    assert receiver.received == []
    assert receiver.rejected


@pytest.mark.django_db(transaction=True)
def test_failures_are_retried_with_backoff_then_failed_and_resent(cast, settings):
    settings.WEBHOOKS_MAX_ATTEMPTS = 3
    with Receiver() as receiver:
        endpoint = _endpoint(cast, receiver.url)
        receiver.secret = endpoint.secret
        receiver.statuses = [500, 503, 500]
        _suspend(cast)
        delivery = WebhookDelivery.objects.get()
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert delivery.attempts == 1
        assert delivery.error == "HTTP 500"
        first_retry = delivery.next_attempt_at
        assert first_retry is not None
        # The worker's later attempts (due now for the test)
        WebhookDelivery.objects.update(next_attempt_at=None)
        assert webhooks.deliver(delivery_id=delivery.pk) == "deferred"
        delivery.refresh_from_db()
        assert delivery.attempts == 2
        WebhookDelivery.objects.update(next_attempt_at=None)
        assert webhooks.deliver(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
        assert delivery.status == WebhookDelivery.Status.FAILED
        # Nothing more happens on its own
        assert webhooks.deliver(delivery_id=delivery.pk) == "skipped"
        # A Global admin sends it again: it arrives, same message ID
        webhook_delivery_resend(delivery=delivery, by=cast.provider_admin)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.SUCCEEDED
    assert [m["id"] for m in receiver.received] == [delivery.message_id]
    assert AuditEvent.objects.filter(action="webhook.resent").exists()


def test_backoff_doubles_and_is_capped(settings):
    settings.WEBHOOKS_RETRY_BASE_SECONDS = 30
    settings.WEBHOOKS_RETRY_MAX_SECONDS = 100
    assert [webhooks.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]


def test_a_rolled_back_change_sends_nothing(cast):
    WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/x", event_types=["grant.moved"]
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action="grant.moved", partners=[cast.provider])
        raise RuntimeError
    assert not WebhookDelivery.objects.exists()


def test_only_subscribed_endpoints_of_concerned_organizations_get_it(cast):
    WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/a", event_types=["grant.removed"]
    )
    WebhookEndpoint.objects.create(
        partner=cast.other_provider, url="https://hooks.example.com/b", event_types=["grant.moved"]
    )
    with transaction.atomic():
        audit_record(action="grant.moved", partners=[cast.provider])
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("action", "event_type"),
    [
        ("grant.reminder_sent", "grant.expiring"),
        ("grant.expired", "grant.removed"),
        ("grant.relinquished", "grant.removed"),
        ("grant.removed", "grant.removed"),
        ("grant.extended", "grant.extended"),
        ("grant.auto_extended", "grant.extended"),
    ],
)
def test_the_grant_lifetime_fires_its_webhooks(cast, action, event_type):
    """The reminders, expiry, giving up and extensions of a grant (issue 14's job and pages)
    reach the endpoints subscribed to their event type, and only those."""
    WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/a", event_types=[event_type]
    )
    WebhookEndpoint.objects.create(
        partner=cast.provider, url="https://hooks.example.com/b", event_types=["grant.moved"]
    )
    with transaction.atomic():
        audit_record(action=action, partners=[cast.provider])
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.endpoint.url == "https://hooks.example.com/a"
    assert delivery.event_type == event_type


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://localhost/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://0.0.0.0/hook",
    ],
)
def test_private_and_loopback_addresses_are_refused(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError):
        validate_webhook_url(url)


@pytest.mark.parametrize(
    "url", ["http://93.184.215.14/hook", "ftp://example.com/x", "https://u:p@93.184.215.14/", ""]
)
def test_only_https_without_credentials(url, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError):
        validate_webhook_url(url, resolve=False)


def test_a_public_https_url_passes_without_dns(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    validate_webhook_url("https://93.184.215.14/hook")  # an IP literal resolves locally


@pytest.mark.django_db(transaction=True)
def test_an_address_that_turned_private_is_refused_at_send_time(cast, settings):
    """The URL is checked again before each attempt (DNS may have changed since)."""
    with Receiver() as receiver:
        endpoint = _endpoint(cast, receiver.url)
        receiver.secret = endpoint.secret
        settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
        _suspend(cast)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert "private" in delivery.error


def test_endpoint_rules(cast, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_URLS = False
    with pytest.raises(ValidationError) as exc:
        webhook_endpoint_create(
            partner=cast.provider,
            url="https://127.0.0.1/x",
            event_types=["nope"],
            by=cast.provider_admin,
        )
    assert set(exc.value.message_dict) == {"url", "event_types"}
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        webhook_endpoint_create(
            partner=cast.provider,
            url="https://93.184.215.14/x",
            event_types=["grant.moved"],
            by=cast.provider_agent,
        )
    endpoint = webhook_endpoint_create(
        partner=cast.provider,
        url="https://93.184.215.14/x",
        event_types=["grant.moved"],
        by=cast.provider_admin,
    )
    webhook_endpoint_remove(endpoint=endpoint, by=cast.provider_admin)
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.filter(action="webhook.endpoint_removed").exists()
