"""What the outbox tells us about invitation emails, recorded on their Delivery."""

from django.db.models import F

from apps.core.outbox import email_deferred, email_failed, email_sent
from apps.customers.verification import customer_verified

from .models import Delivery

# The outbox `purpose` of a delivery's email; its `ref` is the delivery's id.
DELIVERY_EMAIL_PURPOSE = "invitations.delivery"


def _delivery_id(purpose: str, ref: str) -> int | None:
    if purpose != DELIVERY_EMAIL_PURPOSE or not ref.isdigit():
        return None
    return int(ref)


def record_delivery_sent(sender, *, email, purpose, ref, **kwargs):
    if (delivery_id := _delivery_id(purpose, ref)) is not None:
        Delivery.objects.filter(pk=delivery_id).update(
            send_attempts=F("send_attempts") + 1, last_error="", sent_at=email.sent_at
        )


def record_delivery_failure(sender, *, email, purpose, ref, error="", **kwargs):
    """A failed attempt (retried later, or final): the page shows it with a Retry button."""
    if (delivery_id := _delivery_id(purpose, ref)) is not None:
        Delivery.objects.filter(pk=delivery_id, sent_at__isnull=True).update(
            send_attempts=F("send_attempts") + 1, last_error=error[:500]
        )


def start_pending_grants(sender, *, customer, by, **kwargs):
    """A customer verified its tenant: the delegated admin it accepted meanwhile starts."""
    from .acceptance import pending_grants_start

    pending_grants_start(customer=customer, by=by)


def connect() -> None:
    customer_verified.connect(start_pending_grants, dispatch_uid="invitations_pending_grants")
    email_sent.connect(record_delivery_sent, dispatch_uid="invitations_delivery_sent")
    email_deferred.connect(record_delivery_failure, dispatch_uid="invitations_delivery_deferred")
    email_failed.connect(record_delivery_failure, dispatch_uid="invitations_delivery_failed")
