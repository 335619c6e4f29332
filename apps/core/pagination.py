"""Page numbers from the query string, bounded, for every paginated page.

`?page=99999999999999999999999` is a valid integer to Python but an OFFSET beyond PostgreSQL's
bigint (a 500); anything but a positive integer up to MAX_PAGE means page 1 or the last page.
"""

import base64
import binascii
import datetime
import json
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from .plans import planner_row_estimate

# Far beyond any real list (a billion pages), small enough that page × page size stays a bigint.
MAX_PAGE = 1_000_000_000


def page_number(value, default: int = 1) -> int:
    """A page number from the query string: a positive integer, at most MAX_PAGE."""
    try:
        number = int(str(value)[:20])
    except (TypeError, ValueError):
        return default
    if number < 1:
        return default
    return min(number, MAX_PAGE)


def paginate(request, items, param: str = "page", per_page: int | None = None) -> Page:
    """The requested page of `items` (the last page when the number is too high)."""
    paginator = Paginator(items, per_page or settings.PORTAL_PAGE_SIZE)
    return paginator.get_page(page_number(request.GET.get(param)))


class BoundedPaginationMixin:
    """For ListViews: the same bounded page number as `paginate`, so a bad `?page=` shows the
    first (or last) page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(page_number(self.request.GET.get(self.page_kwarg)))
        return (paginator, page, page.object_list, page.has_other_pages())


# ------------------------------------------------------------------------------
# Keyset (cursor) pagination: "the rows after this one", constant cost at any depth
# ------------------------------------------------------------------------------

AFTER = "after"
BEFORE = "before"
# every query parameter that says where in a list a page is (numbered or by cursor): links to
# another position, or to the same list elsewhere (its export), drop them
POSITION_PARAMS = ("page", AFTER, BEFORE)
# `?before=end`: the last page (the oldest events, the end of the alphabet)
END = "end"
# A cursor longer than this is not one the portal wrote (a name is at most a few hundred chars)
MAX_CURSOR_LENGTH = 2048


def _keys(ordering) -> list[tuple[str, bool]]:
    """("-created_at", "-pk") → [("created_at", True), ("pk", True)] (name, descending)."""
    return [(key.lstrip("-"), key.startswith("-")) for key in ordering]


def _reversed(ordering) -> list[str]:
    return [key[1:] if key.startswith("-") else "-" + key for key in ordering]


def _beyond(keys, values) -> Q:
    """Rows strictly beyond `values` in the order `keys`: (a, b) > (va, vb) written so that the
    first key is an index condition (`a >= va`) and the rest only breaks ties."""
    (name, descending), value = keys[0], values[0]
    strictly = Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
    if len(keys) == 1:
        return strictly
    return strictly | (Q(**{name: value}) & _beyond(keys[1:], values[1:]))


def _bound(keys, values) -> Q:
    name, descending = keys[0]
    return Q(**{f"{name}__{'lte' if descending else 'gte'}": values[0]}) & _beyond(keys, values)


def encode_cursor(row, ordering) -> str:
    """The position of `row` in `ordering`, for a URL: base64url of a JSON list."""
    values = []
    for name, _descending in _keys(ordering):
        value = row
        for part in name.split("__"):
            value = getattr(value, part)
        values.append(value.isoformat() if hasattr(value, "isoformat") else value)
    raw = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str, queryset: QuerySet, ordering) -> list | None:
    """The values of a cursor, as the ordering's fields hold them; None for anything the
    portal did not write (bad base64, JSON, count or type): the list then starts over."""
    if not token or len(token) > MAX_CURSOR_LENGTH:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        values = json.loads(raw.decode())
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    keys = _keys(ordering)
    if not isinstance(values, list) or len(values) != len(keys):
        return None
    decoded = []
    for (name, _descending), value in zip(keys, values, strict=True):
        if not isinstance(value, str | int) or isinstance(value, bool):
            return None
        field = _field(queryset, name)
        try:
            value = field.to_python(value)
        except (ValidationError, ValueError, TypeError, OverflowError):
            return None
        # values the database cannot compare with: a NUL byte, an id beyond bigint, a time
        # without a zone
        if (
            value is None
            or (isinstance(value, str) and "\x00" in value)
            or (isinstance(value, int) and not -(2**63) <= value < 2**63)
            or (isinstance(value, datetime.datetime) and timezone.is_naive(value))
        ):
            return None
        decoded.append(value)
    return decoded


def _field(queryset, name):
    """The field an ordering key names: an annotation's output field, or a model field
    (through relations: "provider__name")."""
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    model = queryset.model
    for part in name.split("__")[:-1]:
        model = model._meta.get_field(part).related_model
    last = name.split("__")[-1]
    return model._meta.pk if last == "pk" else model._meta.get_field(last)


@dataclass
class KeysetPage:
    """A page of a list read by position: `?after=<cursor>` the rows after the cursor's row,
    `?before=<cursor>` those before it, `?before=end` the last page. Whatever the depth, a
    page is one indexed range read of `per_page + 1` rows (no OFFSET). The list is never
    counted here: a view that knows the count cheaply shows it beside the page."""

    object_list: list
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def is_first(self) -> bool:
        """The first page: nothing before it (its "Previous" and "First" are disabled)."""
        return not self.has_previous

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def keyset_page(request, queryset: QuerySet, ordering, per_page: int | None = None) -> KeysetPage:
    """The page of `queryset` in `ordering` (unique: end it with the primary key) that
    `?after=` / `?before=` ask for, the first page without them or with a bad cursor."""
    per_page = per_page or settings.PORTAL_PAGE_SIZE
    ordering = list(ordering)
    keys = _keys(ordering)
    before = str(request.GET.get(BEFORE, ""))
    after = str(request.GET.get(AFTER, ""))
    page = None
    if before == END:
        rows = list(queryset.order_by(*_reversed(ordering))[: per_page + 1])
        rows.reverse()
        page = KeysetPage(rows[-per_page:], has_next=False, has_previous=len(rows) > per_page)
    elif before and (values := decode_cursor(before, queryset, ordering)) is not None:
        reverse_keys = [(name, not descending) for name, descending in keys]
        rows = list(
            queryset.filter(_bound(reverse_keys, values)).order_by(*_reversed(ordering))[
                : per_page + 1
            ]
        )
        # fewer than a page before it: show the first page, full, instead
        if len(rows) > per_page:
            rows.reverse()
            page = KeysetPage(rows[1:], has_next=True, has_previous=True)
    elif after and (values := decode_cursor(after, queryset, ordering)) is not None:
        rows = list(queryset.filter(_bound(keys, values)).order_by(*ordering)[: per_page + 1])
        page = KeysetPage(rows[:per_page], has_next=len(rows) > per_page, has_previous=True)
    if page is None:
        rows = list(queryset.order_by(*ordering)[: per_page + 1])
        page = KeysetPage(rows[:per_page], has_next=len(rows) > per_page, has_previous=False)
    if page.object_list:
        page.next_cursor = encode_cursor(page.object_list[-1], ordering)
        page.previous_cursor = encode_cursor(page.object_list[0], ordering)
    return page


# How far a filtered list counts its matches ("more than 250 customers match"): counting 1,000
# matches of a broad search cost 12 ms at scale, 250 cost 3 ms; past a few pages one refines
COUNT_BOUND = 250


def bounded_count(queryset: QuerySet, bound: int = COUNT_BOUND) -> tuple[int, bool]:
    """How many rows `queryset` has, counting at most `bound` + 1 of them: (bound, True) means
    "more than bound". A broad search then costs a thousand rows, not the whole table."""
    n = queryset.order_by()[: bound + 1].count()
    return (bound, True) if n > bound else (n, False)


# ------------------------------------------------------------------------------
# Pagination without counting every row
# ------------------------------------------------------------------------------


def rows_by_ids_first(queryset: QuerySet, offset: int, limit: int) -> list:
    """`queryset[offset:offset + limit]`, as a deferred join: first the ids of the slice (from
    the ordering's index alone: no joins, no row fetched for the rows skipped), then those rows
    with their related objects. A deep page of the audit log skipped 50,000 rows through four
    joins before; now it skips 50,000 index entries (docs/performance.md). The first page,
    which skips nothing, is one query as before."""
    if offset == 0:
        return list(queryset[:limit])
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    if not ids:
        return []
    by_id = {row.pk: row for row in queryset.order_by().filter(pk__in=ids)}
    return [by_id[pk] for pk in ids if pk in by_id]


class EstimatedCountPaginator(Paginator):
    """A paginator for very large tables (the admin's audit log and customers).

    Counts exactly up to EXACT_COUNT_LIMIT rows (a bounded `COUNT` over a `LIMIT`ed subquery,
    cheap whatever the table size). Beyond that it takes PostgreSQL's planner estimate of the
    filtered query instead of counting a million rows on every page load; `is_estimate` says
    so, and the page links say "about". An estimate may be low, so with an estimate no page is
    cut short and any page number is accepted: an older page is always one "Next" away (no
    record cap). On other databases it counts.
    """

    EXACT_COUNT_LIMIT = 10_000
    is_estimate = False

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        bounded = queryset.order_by()[: self.EXACT_COUNT_LIMIT + 1].count()
        if bounded <= self.EXACT_COUNT_LIMIT:
            return bounded
        estimate = planner_row_estimate(queryset)
        if estimate is None:
            return queryset.count()
        self.is_estimate = True
        return max(estimate, bounded)

    def validate_number(self, number):
        if not (self.count and self.is_estimate):
            return super().validate_number(number)
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        return min(number, MAX_PAGE)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if self.is_estimate:
            top = bottom + self.per_page
        else:
            top = min(bottom + self.per_page, self.count)
            if top + self.orphans >= self.count:
                top = self.count
        rows = rows_by_ids_first(self.object_list, bottom, top - bottom)
        return self._get_page(rows, number, self)
