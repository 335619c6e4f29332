"""Keyset (cursor) pagination: every row exactly once forwards and backwards, ties broken by
the primary key, one query a page, and a cursor nobody wrote starts the list over."""

import base64
import json
from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.pagination import (
    bounded_count,
    decode_cursor,
    encode_cursor,
    keyset_page,
)
from apps.customers.models import Customer
from tests import factories
from tests.audit.builders import make_events

pytestmark = pytest.mark.django_db
factory = RequestFactory()
ORDER = ("-created_at", "-pk")


def page(queryset, ordering=ORDER, per_page=3, **params):
    return keyset_page(factory.get("/", params), queryset, ordering, per_page)


def events(cast, n, *, step=timedelta(minutes=1)):
    make_events(n, acting_partner=cast.provider, step=step)
    return AuditEvent.objects.all()


def walk_forwards(queryset, ordering=ORDER, per_page=3):
    seen, current = [], page(queryset, ordering, per_page)
    while True:
        seen.append([row.pk for row in current])
        if not current.has_next:
            return seen, current
        current = page(queryset, ordering, per_page, after=current.next_cursor)


def test_forwards_and_backwards_every_row_once_in_order(cast):
    queryset = events(cast, 8)
    expected = list(queryset.order_by(*ORDER).values_list("pk", flat=True))
    pages, last = walk_forwards(queryset)
    assert [pk for p in pages for pk in p] == expected
    assert [len(p) for p in pages] == [3, 3, 2]
    assert not last.has_next and last.has_previous and not last.is_first
    back = page(queryset, before=last.previous_cursor)
    assert [row.pk for row in back] == expected[3:6] and back.has_next and back.has_previous
    # fewer than a page before the cursor: the first page, full
    first = page(queryset, before=back.previous_cursor)
    assert [row.pk for row in first] == expected[:3]
    assert not first.has_previous and first.is_first


def test_ties_on_the_first_key_are_broken_by_the_primary_key(cast):
    """Events written in the same microsecond (a bulk action) are neither skipped nor repeated."""
    queryset = events(cast, 7, step=timedelta(0))
    assert queryset.values("created_at").distinct().count() == 1
    pages, _ = walk_forwards(queryset, per_page=2)
    flat = [pk for p in pages for pk in p]
    assert flat == sorted(flat, reverse=True) and len(set(flat)) == 7


def test_ascending_text_keys(cast):
    for i, name in enumerate(["b", "a", "c", "a", "d"]):
        factories.make_customer(name, f"t{i}.partner.onmschina.cn")
    queryset = Customer.objects.all()
    ordering = ("name", "pk")
    expected = list(queryset.order_by(*ordering).values_list("pk", flat=True))
    pages, _ = walk_forwards(queryset, ordering, per_page=2)
    assert [pk for p in pages for pk in p] == expected


def test_the_last_page(cast):
    queryset = events(cast, 7)
    expected = list(queryset.order_by(*ORDER).values_list("pk", flat=True))
    last = page(queryset, before="end")
    assert [row.pk for row in last] == expected[-3:]
    assert not last.has_next and last.has_previous
    short = page(AuditEvent.objects.filter(pk__in=expected[:2]), before="end")
    assert len(short) == 2 and not short.has_other_pages


def test_one_query_a_page(cast, django_assert_num_queries):
    queryset = events(cast, 7)
    first = page(queryset)
    with django_assert_num_queries(1):
        second = page(queryset, after=first.next_cursor)
    with django_assert_num_queries(1):
        back = page(queryset, before=second.next_cursor)
    assert len(back) == 3 and back.has_previous


def raw(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "%%%",
        "☃",
        "A" * 5000,
        raw([]),
        raw({"a": 1}),
        raw(["2026-01-01T00:00:00+00:00"]),
        raw(["2026-01-01T00:00:00+00:00", 1, 2]),
        raw(["not a date", 1]),
        raw(["2026-01-01T00:00:00", 1]),  # naive
        raw(["2026-01-01T00:00:00+00:00", "x"]),
        raw(["2026-01-01T00:00:00+00:00", 10**30]),
        raw(["2026-01-01T00:00:00+00:00", True]),
        raw(["2026-01-01T00:00:00+00:00", None]),
        raw([["nested"], 1]),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_cursor_the_portal_did_not_write_starts_the_list_over(cast, cursor):
    queryset = events(cast, 4)
    assert decode_cursor(cursor, queryset, ORDER) is None
    for param in ("after", "before"):
        current = page(queryset, **{param: cursor})
        assert current.is_first and len(current) == 3


def test_a_text_cursor_with_a_nul_byte_is_refused(cast):
    assert decode_cursor(raw(["a\x00b", 1]), Customer.objects.all(), ("name", "pk")) is None


def test_a_cursor_round_trips_time_zones_and_unicode(cast):
    customer = factories.make_customer("北京 “Ünïcode” & co", "bj.partner.onmschina.cn")
    cursor = encode_cursor(customer, ("name", "pk"))
    assert decode_cursor(cursor, Customer.objects.all(), ("name", "pk")) == [
        customer.name,
        customer.pk,
    ]
    event = make_events(1, acting_partner=cast.provider)[0]
    values = decode_cursor(encode_cursor(event, ORDER), AuditEvent.objects.all(), ORDER)
    assert values == [event.created_at, event.pk]
    assert timezone.is_aware(values[0])


def test_a_cursor_past_the_end_is_an_empty_page_that_links_back(cast):
    queryset = events(cast, 3)
    oldest = queryset.order_by("created_at").first()
    beyond = page(queryset, after=encode_cursor(oldest, ORDER))
    assert len(beyond) == 0 and beyond.has_previous and not beyond.has_next


def test_bounded_count(cast):
    queryset = events(cast, 5)
    assert bounded_count(queryset, bound=10) == (5, False)
    assert bounded_count(queryset, bound=5) == (5, False)
    assert bounded_count(queryset, bound=4) == (4, True)
