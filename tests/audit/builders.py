"""Audit events in bulk for list and export tests (services write them one at a time)."""

from datetime import timedelta

from django.utils import timezone

from apps.audit.models import AuditEvent, AuditEventPartner


def make_events(
    count: int,
    *,
    action: str = "invitation.created",
    actor=None,
    acting_partner=None,
    acting_customer=None,
    partners=(),
    customer=None,
    target=None,
    start=None,
    step=timedelta(minutes=1),
    data=None,
) -> list[AuditEvent]:
    """`count` events, newest first from `start` (default now), one `step` apart, linked to
    the acting partner and `partners` the way audit_record links them."""
    start = start or timezone.now()
    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                created_at=start - step * i,
                action=action,
                actor=actor,
                actor_email=actor.email if actor else "",
                acting_partner=acting_partner,
                acting_customer=acting_customer,
                target_type=target._meta.label_lower if target is not None else "",
                target_id=str(target.pk) if target is not None else "",
                target_repr=f"{target} #{i}" if target is not None else f"event {i}",
                customer=customer,
                data=data if data is not None else {"n": i},
                request_id=f"req-{action}-{i:06d}",
            )
            for i in range(count)
        ]
    )
    linked = {p.pk for p in partners if p is not None}
    if acting_partner is not None:
        linked.add(acting_partner.pk)
    AuditEventPartner.objects.bulk_create(
        [AuditEventPartner(event=e, partner_id=pid) for e in events for pid in sorted(linked)]
    )
    return events
