"""Page numbers from the query string, bounded, for every paginated page.

`?page=99999999999999999999999` is a valid integer to Python but an OFFSET beyond PostgreSQL's
bigint (a 500); anything but a positive integer up to MAX_PAGE means page 1 or the last page.
"""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

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


class CountedPaginator(Paginator):
    """A Paginator told how to count: `count_queryset` answers the same number as the list
    with a cheaper query (the list joins what the count does not need)."""

    def __init__(self, object_list, per_page, *, count_queryset=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_queryset = count_queryset

    @cached_property
    def count(self) -> int:
        if self.count_queryset is None:
            return Paginator.count.func(self)
        return self.count_queryset.count()
