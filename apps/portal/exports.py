"""CSV exports of audit events, streamed.

The operator export (admin) runs on PostgreSQL as one `COPY (SELECT ...) TO STDOUT WITH (FORMAT
csv)`: every cell is computed in SQL exactly as the Python path writes it
(`operator_copy_query`; tests/portal/test_export_copy.py compares the two), and Python only
forwards bytes. Elsewhere (SQLite), and for the organizations' exports, the rows come from
`.iterator(chunk_size=2000)` and a generator, so exporting a million events holds about 2,000
of them in memory at a time. Why the organizations' exports keep the Python path:
docs/performance.md, "CSV exports".
"""

import json
from collections.abc import Iterator

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery, TextField
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.models import AuditEvent, AuditEventPartner
from apps.core.csv_export import (
    CHUNK_SIZE,
    RepeatedFunc,
    SafeCell,
    export_filename,
    streaming_copy_csv_response,
    streaming_csv_response,
)

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


class LocalIsoTime(RepeatedFunc):
    """`timezone.localtime(value).isoformat(timespec="seconds")` in SQL, for a timestamptz
    and a time zone name: 2026-11-30T12:01:02+08:00."""

    output_field = TextField()
    offset = "((%(expressions)s) AT TIME ZONE %(tz)s) - ((%(expressions)s) AT TIME ZONE 'UTC')"
    template = (
        "TO_CHAR((%(expressions)s) AT TIME ZONE %(tz)s, 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
        f"CASE WHEN {offset} < INTERVAL '0' THEN '-' || TO_CHAR(-({offset}), 'HH24:MI') "
        f"ELSE '+' || TO_CHAR({offset}, 'HH24:MI') END"
    )

    def __init__(self, expression, tz_name: str):
        # the zone name is quoted as a literal by the database adapter (psycopg's own quoting)
        super().__init__(expression)
        self.tz_name = tz_name

    def as_sql(self, compiler, connection, **extra):
        from psycopg.sql import Literal

        tz = Literal(self.tz_name).as_string(connection.connection).replace("%", "%%")
        return super().as_sql(compiler, connection, tz=tz, **extra)


class SortedJsonText(RepeatedFunc):
    """`_json(event.data)`: `data or {}` as `json.dumps(…, ensure_ascii=False,
    sort_keys=True)` writes it (pp_json_sorted_text, migration audit 0008)."""

    output_field = TextField()
    template = (
        "CASE WHEN %(expressions)s IS NULL OR %(expressions)s IN ('null'::jsonb, "
        "'{}'::jsonb, '[]'::jsonb, '\"\"'::jsonb, 'false'::jsonb, '0'::jsonb) "
        "THEN '{}' ELSE pp_json_sorted_text(%(expressions)s) END"
    )


def _partners_concerned():
    """The "Partners concerned" cell: the public ids of the partners an event concerns, by
    id, space-separated. Like the Python path's prefetch (whose `select_related("partner")`
    is an inner join), a link to a partner that no longer exists is left out."""
    from django.contrib.postgres.aggregates import StringAgg

    return Subquery(
        AuditEventPartner.objects.filter(event_id=OuterRef("pk"))
        .order_by()
        .values("event_id")
        .annotate(text=StringAgg("partner__public_id", " ", order_by="partner_id"))
        .values("text")
    )


def operator_copy_query(queryset: QuerySet) -> tuple[str, tuple]:
    """The SELECT whose rows are `operator_rows(queryset)`, cell for cell, with the
    queryset's own filters, search and order."""
    tz = timezone.get_current_timezone_name()
    columns = {
        "x_id": F("pk"),
        "x_when": LocalIsoTime(F("created_at"), tz),
        "x_action": SafeCell(F("action")),
        "x_actor_id": F("actor_id"),
        "x_actor_email": SafeCell(F("actor_email")),
        "x_ap_id": SafeCell(F("acting_partner__public_id")),
        "x_ap_name": SafeCell(F("acting_partner__name")),
        "x_ac_id": SafeCell(F("acting_customer__public_id")),
        "x_ac_name": SafeCell(F("acting_customer__name")),
        "x_target_type": SafeCell(F("target_type")),
        "x_target_id": SafeCell(F("target_id")),
        "x_target": SafeCell(F("target_repr")),
        "x_c_id": SafeCell(F("customer__public_id")),
        "x_c_name": SafeCell(F("customer__name")),
        "x_partners": SafeCell(_partners_concerned()),
        "x_ip": F("ip_address"),
        "x_request_id": SafeCell(F("request_id")),
        "x_data": SafeCell(SortedJsonText(F("data"))),
    }
    values = (
        queryset.select_related(None)
        .prefetch_related(None)
        .annotate(**columns)
        .values_list(*columns)
    )
    try:
        sql, params = values.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. `pk__in=[]`)
        return "SELECT NULL WHERE FALSE", ()
    return sql, tuple(params)


def uses_copy(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def operator_export_response(queryset: QuerySet):
    if uses_copy(queryset):
        sql, params = operator_copy_query(queryset)
        return streaming_copy_csv_response(
            export_filename("audit-events"), operator_header(), sql, params
        )
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
