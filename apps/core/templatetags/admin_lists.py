"""The admin changelists' date hierarchy, bounded: every changelist uses it
(templates/admin/change_list.html overrides Django's block)."""

import datetime

from django import template
from django.contrib.admin.views.main import ChangeList
from django.db.models import Max, Min
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


def _local(value):
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _months_between(first: datetime.date, last: datetime.date):
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _period(queryset, field_name, year, month):
    """The rows of the chosen year (and month), by a range on the indexed timestamp."""
    try:
        if year and month:
            start = datetime.date(int(year), int(month), 1)
            end = datetime.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        elif year:
            start, end = datetime.date(int(year), 1, 1), datetime.date(int(year) + 1, 1, 1)
        else:
            return queryset
    except (TypeError, ValueError, OverflowError):
        return queryset.none()
    bounds = [
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in (start, end)
    ]
    return queryset.filter(**{f"{field_name}__gte": bounds[0], f"{field_name}__lt": bounds[1]})


@register.inclusion_tag("admin/date_hierarchy.html")
def bounded_date_hierarchy(cl: ChangeList) -> dict:
    """Django's date hierarchy, with the years, months and days offered taken from the first
    and last row (two index look-ups where the field is indexed) instead of a DISTINCT over
    every matching row (30–40 ms at 100,000 relationships, seconds over the audit log). A
    period without (matching) rows may be offered; choosing it shows an empty list."""
    field_name = cl.date_hierarchy
    year_field, month_field, day_field = (f"{field_name}__{p}" for p in ("year", "month", "day"))
    year_lookup = cl.params.get(year_field)
    month_lookup = cl.params.get(month_field)
    day_lookup = cl.params.get(day_field)

    def link(filters):
        return cl.get_query_string(filters, [f"{field_name}__"])

    # The range of the whole table within the chosen period, ignoring the other filters and the
    # search: the ends of the time index, where a filtered MIN/MAX could scan every row.
    date_range = _period(cl.root_queryset, field_name, year_lookup, month_lookup).aggregate(
        first=Min(field_name), last=Max(field_name)
    )
    if not (date_range["first"] and date_range["last"]):
        return {"show": False}
    first, last = _local(date_range["first"]).date(), _local(date_range["last"]).date()
    if not (year_lookup or month_lookup or day_lookup) and first.year == last.year:
        year_lookup = first.year
        if first.month == last.month:
            month_lookup = first.month

    try:
        if year_lookup and month_lookup and day_lookup:
            day = datetime.date(int(year_lookup), int(month_lookup), int(day_lookup))
            return {
                "show": True,
                "back": {
                    "link": link({year_field: year_lookup, month_field: month_lookup}),
                    "title": capfirst(formats.date_format(day, "YEAR_MONTH_FORMAT")),
                },
                "choices": [{"title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT"))}],
            }
        if year_lookup and month_lookup:
            days = (first + datetime.timedelta(days=n) for n in range((last - first).days + 1))
            return {
                "show": True,
                "back": {"link": link({year_field: year_lookup}), "title": str(year_lookup)},
                "choices": [
                    {
                        "link": link(
                            {year_field: year_lookup, month_field: month_lookup, day_field: d.day}
                        ),
                        "title": capfirst(formats.date_format(d, "MONTH_DAY_FORMAT")),
                    }
                    for d in days
                ],
            }
        if year_lookup:
            return {
                "show": True,
                "back": {"link": link({}), "title": _("All dates")},
                "choices": [
                    {
                        "link": link({year_field: year_lookup, month_field: m.month}),
                        "title": capfirst(formats.date_format(m, "YEAR_MONTH_FORMAT")),
                    }
                    for m in _months_between(first, last)
                ],
            }
    except (TypeError, ValueError):  # a hand-typed year or month that is not a date
        return {"show": False}
    return {
        "show": True,
        "back": None,
        "choices": [
            {"link": link({year_field: str(year)}), "title": str(year)}
            for year in range(first.year, last.year + 1)
        ],
    }
