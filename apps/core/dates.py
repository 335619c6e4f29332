"""One way to show a moment: in the reader's time zone, with the zone named.

The active time zone is the user's (`UserPreferencesMiddleware`), the email recipient's
(`apps.core.emails`) or the operator's in the admin; every page, email and confirmation message
formats through these two functions (or the `when` / `day` template filters), so a
confirmation and the page after it can never disagree about a date.
"""

import datetime

from django.utils import dateformat, timezone
from django.utils.translation import get_language

# Patterns in Django's date-format syntax, per language; `T` is the zone's abbreviation
# (CET, CST) or its UTC offset when the zone has none.
WHEN_FORMATS = {
    "en": "j M Y, H:i",
    "it": "j M Y, H:i",
    "zh-hans": "Y年n月j日 H:i",
}
DAY_FORMATS = {
    "en": "j M Y",
    "it": "j M Y",
    "zh-hans": "Y年n月j日",
}


def _pattern(table: dict[str, str]) -> str:
    language = (get_language() or "en").lower()
    return table.get(language) or table.get(language.split("-")[0]) or table["en"]


def _local(value: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def zone_name(value: datetime.datetime | None = None) -> str:
    """The active zone's abbreviation at `value` (now by default), e.g. "CET"; a zone without
    an abbreviation gets its offset ("+08")."""
    moment = _local(value or timezone.now())
    return moment.tzname() or moment.strftime("%z")


def format_when(value: datetime.datetime | None) -> str:
    """ "7 Dec 2026, 14:00 CET": the moment in the active zone, with the zone named."""
    if value is None:
        return ""
    if not isinstance(value, datetime.datetime):
        return format_day(value)
    local = _local(value)
    return f"{dateformat.format(local, _pattern(WHEN_FORMATS))} {zone_name(local)}"


def format_day(value: datetime.date | datetime.datetime | None) -> str:
    """ "7 Dec 2026": the calendar day of `value` in the active zone (a moment's day is taken
    where the reader is, never in UTC)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = _local(value)
    return dateformat.format(value, _pattern(DAY_FORMATS))
