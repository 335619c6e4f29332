"""THE email sender of the portal.

Every email is templated (`<template>_subject.txt`, `<template>.txt`, `<template>.html`),
rendered when it is asked for (inside the caller's transaction, with the data as it is then),
once per group of recipients sharing a language and time zone, and put in the outbox
(`apps.core.outbox`) in that same transaction: a change that rolls back sends nothing, a change
that commits can never lose its email, and no request ever waits on (or fails because of) the
mail server. Workers send the outbox with retries; `purpose` and `ref` let the app that asked
hear the outcome through the outbox's signals (`email_sent`, `email_failed`, ...).

Every message leaves through `_dispatch`, the one way out.

An email follows its recipient: a portal user's preferred language and time zone when the
address belongs to one, else the sender's language (the one active when the email was asked
for) and the portal's time zone.
"""

import zoneinfo
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import outbox


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


def known_language(language: str | None) -> str | None:
    """`language` as one of settings.LANGUAGES, or None."""
    if not language:
        return None
    try:
        language = translation.get_supported_language_variant(language)
    except LookupError:
        return None
    return language if language in dict(settings.LANGUAGES) else None


def sender_language() -> str:
    """The language active now (the person acting), else the portal's default."""
    return known_language(translation.get_language()) or settings.LANGUAGE_CODE


def locales_for(
    emails: Iterable[str], *, fallback_language: str | None = None
) -> dict[str, EmailLocale]:
    """Map each address (lower-cased) to the EmailLocale its email should be written in."""
    emails = [e.strip().lower() for e in emails if e]
    fallback = known_language(fallback_language) or sender_language()
    users = {
        email.lower(): (language, time_zone)
        for email, language, time_zone in get_user_model()
        .objects.filter(email__in=emails)
        .values_list("email", "language", "time_zone")
    }
    result = {}
    for email in emails:
        language, time_zone = users.get(email, ("", ""))
        result[email] = EmailLocale(
            language=known_language(language) or fallback,
            time_zone=time_zone or settings.TIME_ZONE,
        )
    return result


def locale_for(email: str, *, fallback_language: str | None = None) -> EmailLocale:
    return locales_for([email], fallback_language=fallback_language)[email.strip().lower()]


def unique_addresses(emails: Iterable[str]) -> list[str]:
    """Non-empty addresses, lower-cased, each once, in the order given."""
    seen: dict[str, None] = {}
    for email in emails:
        if email:
            seen.setdefault(email.strip().lower(), None)
    return list(seen)


def render_email(
    *, template: str, to: list[str], context: dict, reply_to: Iterable[str] = ()
) -> EmailMultiAlternatives:
    """One message from the three templates, in the language and time zone active now."""
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **context,
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        reply_to=list(reply_to),
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def send_email(
    *,
    template: str,
    to: str | Iterable[str],
    context: dict,
    language: str | None = None,
    force_language: str | None = None,
    reply_to: Iterable[str] = (),
    purpose: str = "",
    ref: str = "",
    replace_queued: bool = False,
) -> list[EmailMultiAlternatives]:
    """Render `template` now for `to` and put it in the outbox, in the current transaction
    (which must be open: the email commits or rolls back with the change that causes it).

    Recipients are grouped by language and time zone (one message per group). A recipient
    who chose no language gets `language` (default: the language active now);
    `force_language` writes every message in that language (the time zone still follows the
    recipient). Returns the rendered messages.
    """
    addresses = unique_addresses([to] if isinstance(to, str) else to)
    if not addresses:
        return []
    groups: dict[EmailLocale, list[str]] = {}
    for email, locale in locales_for(addresses, fallback_language=language).items():
        if force_language:
            locale = EmailLocale(language=force_language, time_zone=locale.time_zone)
        groups.setdefault(locale, []).append(email)
    messages = []
    for locale, group in groups.items():
        with locale.active():
            messages.append(
                render_email(template=template, to=group, context=context, reply_to=reply_to)
            )
    _dispatch(messages, purpose=purpose, ref=ref, replace_queued=replace_queued)
    return messages


def _dispatch(
    messages: list[EmailMultiAlternatives], *, purpose: str, ref: str, replace_queued: bool
) -> None:
    """The one way out: each message into the outbox, in the caller's transaction."""
    for message in messages:
        outbox.enqueue(message, purpose=purpose, ref=ref, replace_queued=replace_queued)
