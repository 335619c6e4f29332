"""Reading the audit log: an organization's activity, the action vocabulary, and pagination
that stays fast on a table of millions of rows."""

import datetime
import json
import re
from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.actions import AuditAction, action_label, data_key_label
from apps.audit.audience import (
    concerned_partner_ids,
    data_for,
    may_read_personal_data,
    target_repr_for,
)
from apps.audit.models import AuditEvent
from apps.core.dates import format_when
from apps.core.text import join_list
from apps.customers.models import Service

# ------------------------------------------------------------------------------
# Scoping and filtering
# ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActivityFilters:
    """What a portal user narrowed the activity list to. Dates are local calendar days."""

    action: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.action:
            queryset = queryset.filter(action=self.action)
        # Compare the indexed timestamp with the bounds of local days (no cast per row)
        if self.date_from:
            queryset = queryset.filter(created_at__gte=start_of_day(self.date_from))
        if self.date_to:
            queryset = queryset.filter(
                created_at__lt=start_of_day(self.date_to + datetime.timedelta(days=1))
            )
        return queryset


def start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# The activity pages' order: newest first (unique, so it can be paged by cursor; index
# audit_created_id_idx)
ACTIVITY_ORDER = ("-created_at", "-pk")


def _with_display_relations(queryset: QuerySet) -> QuerySet:
    # partner_links: who else the event concerns decides who may read its personal data
    return queryset.select_related(
        "actor", "acting_partner", "acting_customer", "customer"
    ).prefetch_related("partner_links")


def partner_activity(*, partner, filters: ActivityFilters | None = None) -> QuerySet:
    """A partner organization's events, newest first: what concerns it or its staff did."""
    queryset = AuditEvent.objects.for_partner(partner)
    return _with_display_relations((filters or ActivityFilters()).apply(queryset))


def customer_activity(*, customer, filters: ActivityFilters | None = None) -> QuerySet:
    """A customer organization's events, newest first: what concerns it or its admins did."""
    queryset = AuditEvent.objects.for_customer(customer)
    return _with_display_relations((filters or ActivityFilters()).apply(queryset))


AUDIT_ACTION_VALUES = frozenset(AuditAction.values)
# A moment recorded as ISO 8601 text ("2026-12-07T13:00:00+00:00"): shown like every other time.
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


# A loose index scan: one probe of the (action, created_at) index per distinct action, so the
# list costs the same on a million events as on ten (PostgreSQL has no skip scan of its own).
DISTINCT_ACTIONS_SQL = """
WITH RECURSIVE actions(action) AS (
    (SELECT action FROM audit_auditevent ORDER BY action LIMIT 1)
    UNION ALL
    SELECT (SELECT e.action FROM audit_auditevent e WHERE e.action > a.action
            ORDER BY e.action LIMIT 1)
    FROM actions a WHERE a.action IS NOT NULL
)
SELECT action FROM actions WHERE action IS NOT NULL
"""


def distinct_actions(using: str = "default") -> list[str]:
    """Every action name recorded so far, sorted. Action names are the product's vocabulary
    (`invitation.created`), not tenant data, so every organization may pick from all of them."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(DISTINCT_ACTIONS_SQL)
            return [row[0] for row in cursor.fetchall()]
    return list(
        AuditEvent.objects.using(using)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )


# ------------------------------------------------------------------------------
# Who did it, as another organization may see it
# ------------------------------------------------------------------------------


def actor_label(event: AuditEvent, *, viewer_partner=None, viewer_customer=None) -> str:
    """The person for the organization's own staff; the organization for anyone else's, so
    that a partner's activity page never shows the email addresses of a customer's (or
    another partner's) people; "Operator" for operator staff working in the admin."""
    own = (viewer_partner is not None and event.acting_partner_id == viewer_partner.pk) or (
        viewer_customer is not None and event.acting_customer_id == viewer_customer.pk
    )
    if own:
        person = event.actor_email or (str(event.actor) if event.actor_id else "")
        return person or _("System")
    if event.acting_partner_id:
        return event.acting_partner.name if event.acting_partner else _("Another partner")
    if event.acting_customer_id:
        return event.acting_customer.name if event.acting_customer else _("A customer")
    if event.actor_id or event.actor_email:
        return _("Operator")
    return _("System")


@dataclass(frozen=True)
class VisibleEvent:
    """What an organization may read of an event: its data and subject, with the personal
    data of another organization's contacts hidden (apps/audit/audience.py)."""

    data: dict
    subject: str


def visible_event(event: AuditEvent, *, viewer_partner=None, viewer_customer=None) -> VisibleEvent:
    may_read = may_read_personal_data(
        event,
        concerned_partner_ids=concerned_partner_ids(event),
        viewer_partner=viewer_partner,
        viewer_customer=viewer_customer,
    )
    return VisibleEvent(
        data=data_for(event, may_read=may_read),
        subject=target_repr_for(event, may_read=may_read),
    )


SERVICE_KEYS = frozenset({"service", "services"})


def service_names() -> dict[str, str]:
    """Service codes (as recorded in events) -> the service's name in the active language."""
    return {service.code: service.display_name for service in Service.objects.all()}


def data_items(data: dict, services: dict[str, str] | None = None) -> list[tuple[str, str]]:
    """An event's structured data (as the reader may see it) as (label, text) pairs, for a
    details column: keys in words (`use_count` -> "Times used"), yes/no for flags, service
    codes as the service's name (`services`: code -> name), lists joined with the language's
    separator."""
    items = []
    for key, value in (data or {}).items():
        if services and key in SERVICE_KEYS:
            codes = value if isinstance(value, list | tuple) else [value]
            value = [services.get(code, code) if isinstance(code, str) else code for code in codes]
            value = value if len(codes) > 1 or isinstance(data[key], list | tuple) else value[0]
        items.append((data_key_label(str(key)), data_value_text(value)))
    return items


def data_value_text(value) -> str:
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if value is None:
        return "—"
    if isinstance(value, str):
        if value in AUDIT_ACTION_VALUES:
            return action_label(value)
        if ISO_MOMENT.match(value):
            try:
                return format_when(datetime.datetime.fromisoformat(value))
            except ValueError:
                return value
        return value
    if isinstance(value, list | tuple):
        return join_list(data_value_text(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{data_key_label(str(k))}: {data_value_text(v)}" for k, v in value.items()
        )
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
