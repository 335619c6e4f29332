"""Numbers for /healthz: how the email outbox is doing."""

from django.db.models import Count, Min, Q
from django.utils import timezone

from .models import OutboundEmail


def outbox_health() -> dict:
    """Queued and failed counts and the age in seconds of the oldest queued message (0 when
    none). Two index-only aggregates; a backlog is reported, never treated as an outage."""
    queued = OutboundEmail.Status.QUEUED
    counts = OutboundEmail.objects.filter(
        status__in=[queued, OutboundEmail.Status.FAILED]
    ).aggregate(
        queued=Count("pk", filter=Q(status=queued)),
        failed=Count("pk", filter=~Q(status=queued)),
    )
    oldest = OutboundEmail.objects.filter(status=queued).aggregate(oldest=Min("created_at"))
    age = (timezone.now() - oldest["oldest"]).total_seconds() if oldest["oldest"] else 0
    return {
        "queued": counts["queued"],
        "failed": counts["failed"],
        "oldest_queued_age_seconds": max(int(age), 0),
    }
