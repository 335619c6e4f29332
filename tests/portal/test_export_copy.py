"""The operator's audit export through PostgreSQL's COPY writes exactly what the Python path
writes (issue 18): the same header, rows, columns, order and cells, byte for byte once both end
their lines the same way."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent, AuditEventPartner
from apps.core import csv_export
from apps.core.csv_export import copy_csv_lines, csv_lines
from apps.portal.exports import operator_copy_query, operator_header, operator_rows

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite keeps Python"
)

EXPORT = "admin:audit_auditevent_export"

TRICKY_DATA = [
    {},
    {"n": 1},
    {"zz": 1, "a": 2, "mid": {"bbbb": [1, 2.5, None, True, False], "c": "x"}},
    {"email": "person@example.test", "note": 'quote " backslash \\ slash /'},
    {"text": "line\nbreak\r\ttab \x01 ctrl \x7f del", "中文": "名称 😀"},
    {"list": [], "obj": {}, "nested": [{"b": 1, "a": [{"d": {}, "c": ""}]}]},
    {"big": 12345678901234567890, "neg": -3, "float": 0.1, "zero": 0},
    [],
    ["a", 1],
    "",
    "-starts with minus",
    0,
    False,
    {"key with spaces": 1, "Key": 2, "key": 3, "é": 4, "z": 5, "_": 6},
]

TRICKY_TEXT = [
    "",
    "plain",
    '=HYPERLINK("http://x")',
    "+1",
    "-1",
    "@sum",
    "\tTAB",
    "\rCR",
    'comma, and "quotes"',
    "multi\nline",
    "Northwind 北风",
    "trailing space ",
]


@pytest.fixture
def tricky_events(cast):
    start = datetime(2026, 1, 15, 10, 30, 45, 987654, tzinfo=UTC)
    events = []
    for i, data in enumerate(TRICKY_DATA * 2):
        text = TRICKY_TEXT[i % len(TRICKY_TEXT)]
        events.append(
            AuditEvent(
                # across the summer/winter change of zones that have one
                created_at=start + timedelta(days=17 * i, seconds=i),
                action=["partner.updated", "=weird.action", "invitation.created"][i % 3],
                actor=cast.provider_admin if i % 4 == 0 else None,
                actor_email=cast.provider_admin.email if i % 4 == 0 else text,
                acting_partner_id=(
                    cast.provider.pk if i % 5 == 0 else (987654 if i % 5 == 1 else None)
                ),
                acting_customer=cast.customer if i % 6 == 0 else None,
                target_type="partners.partner" if i % 2 else "",
                target_id=str(i) if i % 2 else text,
                target_repr=text,
                customer=cast.customer if i % 3 == 0 else None,
                data=data,
                ip_address=["192.0.2.1", "2001:db8::1", None, "::ffff:10.0.0.1"][i % 4],
                request_id=text if i % 2 else f"req-{i}",
            )
        )
    events = AuditEvent.objects.bulk_create(events)
    links = []
    for i, event in enumerate(events):
        if i % 2 == 0:
            links.append(AuditEventPartner(event=event, partner=cast.reseller))
            links.append(AuditEventPartner(event=event, partner=cast.provider))
        if i % 7 == 0:
            links.append(AuditEventPartner(event=event, partner_id=876543))  # deleted partner
    AuditEventPartner.objects.bulk_create(links)
    return events


def python_bytes(queryset) -> bytes:
    """The Python path's file (`csv_lines`, as today), each record ending in LF (COPY's line
    end) instead of CRLF; a CR or LF inside a quoted cell is kept."""
    lines = csv_lines(operator_header(), operator_rows(queryset))
    return "".join(line.removesuffix("\r\n") + "\n" for line in lines).encode("utf-8")


def copy_bytes(queryset) -> bytes:
    sql, params = operator_copy_query(queryset)
    return b"".join(copy_csv_lines(operator_header(), sql, params))


@pytest.mark.parametrize(
    "zone", ["Asia/Shanghai", "UTC", "America/New_York", "Asia/Kolkata", "Pacific/Chatham"]
)
def test_copy_writes_the_same_bytes_as_the_python_path(tricky_events, zone):
    queryset = AuditEvent.objects.order_by("-created_at", "-id")
    with timezone.override(zone):
        expected = python_bytes(queryset)
        got = copy_bytes(queryset)
    assert got.decode("utf-8").splitlines() == expected.decode("utf-8").splitlines()
    assert got == expected
    assert len(list(csv.reader(io.StringIO(got.decode("utf-8-sig"))))) == len(tricky_events) + 1


def test_copy_keeps_the_querysets_filters_and_order(tricky_events, cast):
    queryset = AuditEvent.objects.filter(action="partner.updated", ip_address__isnull=False)
    for ordered in (queryset.order_by("created_at"), queryset.order_by("-id")):
        assert copy_bytes(ordered) == python_bytes(ordered)
    assert copy_bytes(AuditEvent.objects.none().order_by("id")) == python_bytes(
        AuditEvent.objects.none()
    )


def test_the_admin_export_streams_from_copy_in_blocks(tricky_events, cast, client, monkeypatch):
    monkeypatch.setattr(csv_export, "COPY_BLOCK_BYTES", 256)
    client.force_login(cast.staff)
    response = client.get(reverse(EXPORT), {"action": "partner.updated"})
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    chunks = list(response.streaming_content)
    assert len(chunks) > 2  # header, then several blocks
    assert all(len(c) >= 256 for c in chunks[1:-1])
    body = b"".join(chunks)
    with timezone.override("Asia/Shanghai"):
        expected = python_bytes(
            AuditEvent.objects.filter(action="partner.updated").order_by("-created_at", "-id")
        )
    assert body == expected


def test_the_admin_export_is_still_for_operators_only(tricky_events, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
