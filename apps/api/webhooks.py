"""Signed webhooks: from the audit event stream to the receiver's URL.

1. `on_event_recorded` (connected to apps.audit.signals.event_recorded) runs inside the
   transaction of the change: for every active endpoint of a concerned organization that
   subscribed to the event's type it writes a WebhookDelivery and queues its task. A
   rolled-back change sends nothing; a committed one cannot lose its webhook.
2. The worker runs `deliver()`: it locks the row (skip locked, so two workers never send it
   twice), checks the URL again (https, public address), signs the body the Standard Webhooks
   way (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<HMAC-SHA256>`; the
   `standardwebhooks` package) and POSTs it without following redirects. A 2xx is success;
   anything else is retried with exponential backoff (WEBHOOKS_RETRY_BASE_SECONDS doubled per
   attempt, at most WEBHOOKS_MAX_ATTEMPTS attempts), then the delivery is failed and can be
   resent from the endpoint's page.
"""

import datetime
import logging
import time
import uuid
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from apps.audit.audience import data_for, may_read_personal_data
from apps.audit.signals import event_recorded

from .events import ACTION_TO_EVENT
from .models import WebhookDelivery, WebhookEndpoint
from .ssrf import resolve_public

logger = logging.getLogger(__name__)

USER_AGENT = "PartnerPortal-Webhooks/1"
RESPONSE_READ_LIMIT = 4096


def payload_for(event, *, event_type: str, partner) -> dict:
    """The body: the Standard Webhooks envelope (type, timestamp, data) with what the receiving
    organization may read of the audit event (another organization's contacts stay hidden)."""
    from apps.partners.models import Partner

    may_read = may_read_personal_data(
        event, concerned_partner_ids=_concerned_ids(event), viewer_partner=partner
    )
    partner_ids = _concerned_ids(event)
    public_ids = dict(Partner.objects.filter(pk__in=partner_ids).values_list("pk", "public_id"))
    return {
        "type": event_type,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "audit_event_id": event.pk,
            "action": event.action,
            "object": {
                "type": event.target_type,
                "id": event.target_id,
                "text": event.target_repr if may_read else "",
            },
            "partners": sorted(public_ids.values()),
            "customer": event.customer.public_id if event.customer_id else None,
            "details": data_for(event, may_read=may_read),
        },
    }


def _concerned_ids(event) -> list[int]:
    return getattr(event, "_webhook_partner_ids", [])


@receiver(event_recorded, dispatch_uid="api.webhooks.on_event_recorded")
def on_event_recorded(sender, event, partner_ids, **kwargs):
    event_type = ACTION_TO_EVENT.get(event.action)
    if event_type is None or not partner_ids:
        return
    # An organization has a handful of endpoints: their event types are matched here rather
    # than with a JSON `contains` lookup, which SQLite (the one-command local run) lacks.
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(
            partner_id__in=partner_ids, is_active=True
        ).select_related("partner")
        if event_type in endpoint.event_types
    ]
    event._webhook_partner_ids = list(partner_ids)
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            message_id=f"msg_{uuid.uuid4().hex}",
            event_type=event_type,
            payload=payload_for(event, event_type=event_type, partner=endpoint.partner),
        )
        schedule(delivery)


def schedule(delivery: WebhookDelivery, *, run_after=None) -> None:
    """Queue the delivery's task in the current transaction (and, with
    WEBHOOKS_DELIVER_ON_COMMIT, also send it in-process right after commit)."""
    from .tasks import deliver_webhook

    task = deliver_webhook if run_after is None else deliver_webhook.using(run_after=run_after)
    task.enqueue(delivery_id=delivery.pk)
    if settings.WEBHOOKS_DELIVER_ON_COMMIT and run_after is None:
        transaction.on_commit(lambda: deliver(delivery_id=delivery.pk))


def retry_delay(attempts: int) -> datetime.timedelta:
    seconds = settings.WEBHOOKS_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.WEBHOOKS_RETRY_MAX_SECONDS))


def sign(delivery: WebhookDelivery, body: str, at: datetime.datetime) -> dict[str, str]:
    signature = Webhook(delivery.endpoint.secret).sign(delivery.message_id, at, body)
    return {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature,
    }


def _post(delivery: WebhookDelivery) -> tuple[int, int]:
    """POST the signed body; returns (status, milliseconds). Raises on network errors."""
    import json

    url = delivery.endpoint.url
    parts = urlsplit(url)
    resolve_public(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **sign(delivery, body, timezone.now()),
    }
    started = time.monotonic()
    with requests.post(
        url,
        data=body.encode(),
        headers=headers,
        timeout=settings.WEBHOOKS_TIMEOUT_SECONDS,
        allow_redirects=False,
        stream=True,
    ) as response:
        response.raw.read(RESPONSE_READ_LIMIT, decode_content=False)
        status = response.status_code
    return status, int((time.monotonic() - started) * 1000)


def deliver(*, delivery_id: int) -> str:
    """Try one delivery now; returns "sent", "deferred", "failed" or "skipped". Never raises
    for a receiver's problem: the outcome is recorded on the row."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None or (
            delivery.next_attempt_at
            and delivery.next_attempt_at > now + datetime.timedelta(seconds=1)
        ):
            return "skipped"
        delivery.attempts += 1
        status, elapsed, error = None, None, ""
        try:
            status, elapsed = _post(delivery)
            if not 200 <= status < 300:
                error = f"HTTP {status}"
        except ValidationError as exc:
            error = " ".join(exc.messages)
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        delivery.response_status = status
        delivery.response_ms = elapsed
        delivery.error = error[:500]
        if not error:
            delivery.status = WebhookDelivery.Status.SUCCEEDED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            outcome = "sent"
        elif delivery.attempts < settings.WEBHOOKS_MAX_ATTEMPTS:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            schedule(delivery, run_after=delivery.next_attempt_at)
            outcome = "deferred"
        else:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.next_attempt_at = None
            outcome = "failed"
        if error:
            logger.warning("webhook delivery %s: %s (%s)", delivery.pk, outcome, error)
        delivery.save()
    return outcome
