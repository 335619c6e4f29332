"""Which language and time zone an email is written in.

An email follows its recipient: a portal user's preferred language and time zone when the
address belongs to one, else the sender's language (the one active when the email was queued)
and the portal's time zone.
"""

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation

from .models import User


@dataclass(frozen=True)
class EmailLocale:
    language: str
    time_zone: str

    @contextmanager
    def active(self) -> Iterator[None]:
        """Render inside this block to write dates, numbers and text for the recipient."""
        try:
            tz = zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        with translation.override(self.language), timezone.override(tz):
            yield


def _known(language: str | None) -> str | None:
    if not language:
        return None
    try:
        language = translation.get_supported_language_variant(language)
    except LookupError:
        return None
    return language if language in dict(settings.LANGUAGES) else None


def sender_language() -> str:
    """The language active now (the person acting), else the portal's default."""
    return _known(translation.get_language()) or settings.LANGUAGE_CODE


def locales_for(emails: Iterable[str], *, fallback_language: str | None = None) -> dict:
    """Map each address (lower-cased) to the EmailLocale its email should be written in."""
    emails = [e.strip().lower() for e in emails if e]
    fallback = _known(fallback_language) or sender_language()
    users = {
        email.lower(): (language, time_zone)
        for email, language, time_zone in User.objects.filter(email__in=emails).values_list(
            "email", "language", "time_zone"
        )
    }
    result = {}
    for email in emails:
        language, time_zone = users.get(email, ("", ""))
        result[email] = EmailLocale(
            language=_known(language) or fallback,
            time_zone=time_zone or settings.TIME_ZONE,
        )
    return result


def locale_for(email: str, *, fallback_language: str | None = None) -> EmailLocale:
    return locales_for([email], fallback_language=fallback_language)[email.strip().lower()]
