"""CSV exports of audit events, streamed row by row.

The rows come from `.iterator(chunk_size=2000)` (a server-side cursor on PostgreSQL), and the
response is a StreamingHttpResponse fed by a generator, so exporting a million events holds
about 2,000 of them in memory at a time, never the whole list.
"""

import json
from collections.abc import Iterator

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditEvent, AuditEventPartner
from apps.core.csv_export import CHUNK_SIZE, export_filename, streaming_csv_response

from .selectors import actor_label, visible_event


def _when(event: AuditEvent) -> str:
    return timezone.localtime(event.created_at).isoformat(timespec="seconds")


def _json(data) -> str:
    return json.dumps(data or {}, ensure_ascii=False, sort_keys=True, default=str)


# ------------------------------------------------------------------------------
# Operator export (admin): every column
# ------------------------------------------------------------------------------


def operator_header() -> list[str]:
    return [
        _("Event ID"),
        _("When"),
        _("Action"),
        _("Actor ID"),
        _("Actor email"),
        _("Acting for partner ID"),
        _("Acting for partner"),
        _("Acting for customer ID"),
        _("Acting for customer"),
        _("Target type"),
        _("Target ID"),
        _("Target"),
        _("Customer concerned ID"),
        _("Customer concerned"),
        _("Partners concerned"),
        _("IP address"),
        _("Request ID"),
        _("Data"),
    ]


def _org(obj, attr: str = "public_id") -> tuple[str, str]:
    return (getattr(obj, attr), obj.name) if obj is not None else ("", "")


def operator_rows(queryset: QuerySet) -> Iterator[list]:
    queryset = (
        queryset.select_related("acting_partner", "acting_customer", "customer")
        .prefetch_related(None)  # the admin's own prefetch of the same relation
        .prefetch_related(
            Prefetch(
                "partner_links",
                queryset=AuditEventPartner.objects.select_related("partner").order_by("partner_id"),
            )
        )
    )
    for event in queryset.iterator(chunk_size=CHUNK_SIZE):
        partners = " ".join(
            link.partner.public_id if link.partner else str(link.partner_id)
            for link in event.partner_links.all()
        )
        yield [
            event.pk,
            _when(event),
            event.action,
            event.actor_id or "",
            event.actor_email,
            *_org(event.acting_partner),
            *_org(event.acting_customer),
            event.target_type,
            event.target_id,
            event.target_repr,
            *_org(event.customer),
            partners,
            event.ip_address or "",
            event.request_id,
            _json(event.data),
        ]


def operator_export_response(queryset: QuerySet):
    return streaming_csv_response(
        export_filename("audit-events"), operator_header(), operator_rows(queryset)
    )


# ------------------------------------------------------------------------------
# Organization export (portal activity pages): what the organization may see
# ------------------------------------------------------------------------------


def organization_header() -> list[str]:
    return [
        _("When"),
        _("Action"),
        _("By"),
        _("Subject"),
        _("Customer"),
        _("Details"),
        _("Request ID"),
    ]


def organization_rows(
    queryset: QuerySet, *, viewer_partner=None, viewer_customer=None
) -> Iterator[list]:
    viewer = {"viewer_partner": viewer_partner, "viewer_customer": viewer_customer}
    # partner_links (prefetched per chunk): who else an event concerns decides who may read
    # its personal data
    for event in queryset.prefetch_related("partner_links").iterator(chunk_size=CHUNK_SIZE):
        visible = visible_event(event, **viewer)
        yield [
            _when(event),
            event.action,
            actor_label(event, **viewer),
            visible.subject,
            event.customer.name if event.customer_id and event.customer else "",
            _json(visible.data),
            event.request_id,
        ]


def organization_export_response(
    queryset: QuerySet, *, prefix: str, viewer_partner=None, viewer_customer=None
):
    return streaming_csv_response(
        export_filename(prefix),
        organization_header(),
        organization_rows(queryset, viewer_partner=viewer_partner, viewer_customer=viewer_customer),
    )
