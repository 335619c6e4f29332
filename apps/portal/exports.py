"""CSV exports of audit events, streamed row by row.

The rows come from `.iterator(chunk_size=2000)` (a server-side cursor on PostgreSQL), and the
response is a StreamingHttpResponse fed by a generator, so exporting a million events holds
about 2,000 of them in memory at a time, never the whole list.
"""

import csv
import json
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch, QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditEvent, AuditEventPartner

from .selectors import actor_label

CHUNK_SIZE = 2000
# Spreadsheets run a cell that starts with one of these as a formula (CSV injection):
# names and reasons come from users, so such cells get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a UTF-8 file as UTF-8 (Chinese names intact) only with a byte-order mark.
BOM = "\ufeff"


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def safe_cell(value) -> str:
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def csv_lines(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([safe_cell(h) for h in header])
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])


def streaming_csv_response(filename: str, header: list[str], rows: Iterable[list]):
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def export_filename(prefix: str) -> str:
    return f"{prefix}-{timezone.localtime():%Y%m%d-%H%M%S}.csv"


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
    for event in queryset.iterator(chunk_size=CHUNK_SIZE):
        yield [
            _when(event),
            event.action,
            actor_label(event, viewer_partner=viewer_partner, viewer_customer=viewer_customer),
            event.target_repr,
            event.customer.name if event.customer_id and event.customer else "",
            _json(event.data),
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
