"""Template tags every portal page may use: `{% load portal_tags %}`."""

import datetime

from django import template
from django.utils import timezone

from apps.core.dates import format_day, format_when, zone_name
from apps.core.pagination import POSITION_PARAMS
from apps.core.text import join_list as join_list_text

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"team.manage" %}`: asks the membership's has_perm, the one place
    where roles turn into capabilities. False without a membership."""
    return bool(membership is not None and membership.has_perm(perm))


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """The current URL's query string with `param` set to `number`, other parameters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def cursor_url(context, param: str = "", cursor: str = "") -> str:
    """The current URL's query string at another position of a keyset-paginated list
    (`?after=` / `?before=` a cursor; no arguments: the first page), filters kept."""
    query = context["request"].GET.copy()
    for key in POSITION_PARAMS:
        query.pop(key, None)
    if param:
        query[param] = cursor
    return "?" + query.urlencode()


@register.filter
def when(value) -> str:
    """`{{ invitation.expires_at|when }}`: "7 Dec 2026, 14:00 CET" in the reader's zone.
    Like Django's `date` filter, anything that is not a date renders as nothing."""
    return format_when(value) if isinstance(value, datetime.date) else ""


@register.filter
def day(value) -> str:
    """`{{ member.created_at|day }}`: "7 Dec 2026", the day in the reader's zone (nothing for
    what is not a date, as `when`)."""
    return format_day(value) if isinstance(value, datetime.date) else ""


@register.filter
def join_list(items) -> str:
    """`{{ services|join_list }}`: joined with the language's separator ("、" in Chinese)."""
    return join_list_text(items or [])


@register.simple_tag
def current_zone() -> str:
    """The active time zone's name and abbreviation, e.g. "Europe/Rome (CET)"."""
    return f"{timezone.get_current_timezone_name()} ({zone_name()})"
