"""Writing the audit log. Every service that changes something calls audit_record inside
its own transaction, so the change and its record commit or roll back together."""

from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from . import signals
from .actions import AuditAction
from .context import get_request_context
from .models import AuditEvent, AuditEventPartner

SECRET_KEY_PARTS = ("password", "token", "secret", "key", "signature", "link")
MASK = "***"


def mask_secrets(value: Any) -> Any:
    """Replace values whose key names a secret; recurse into dicts and lists."""
    if isinstance(value, dict):
        return {
            k: (
                MASK
                if any(part in str(k).lower() for part in SECRET_KEY_PARTS)
                else mask_secrets(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(v) for v in value]
    return value


def audit_record(
    *,
    action: AuditAction | str,
    actor=None,
    acting_partner=None,
    acting_customer=None,
    target: models.Model | None = None,
    target_repr: str | None = None,
    partners: Iterable = (),
    customer=None,
    data: dict | None = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records.
    `action` must be one of AuditAction (a typo raises instead of mislabelling the log)."""
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must be called inside transaction.atomic()")
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}: add it to apps/audit/actions.py")
    ctx = get_request_context()
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_email=actor.email if actor else "",
        acting_partner=acting_partner,
        acting_customer=acting_customer,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=(target_repr if target_repr is not None else str(target or ""))[:255],
        customer=customer,
        data=mask_secrets(data or {}),
        ip_address=ctx.ip_address,
        request_id=ctx.request_id,
    )
    partner_ids = {p.pk for p in partners if p is not None}
    if acting_partner is not None:
        partner_ids.add(acting_partner.pk)
    AuditEventPartner.objects.bulk_create(
        [AuditEventPartner(event=event, partner_id=pid) for pid in sorted(partner_ids)]
    )
    signals.event_recorded.send(sender=AuditEvent, event=event, partner_ids=sorted(partner_ids))
    return event
