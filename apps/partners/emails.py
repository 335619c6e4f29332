"""Emails of the partners app: each has a plain-text and an HTML part, rendered from
templates/partners/email/ and sent after the transaction that created the link commits.
They are written in the recipient's language when the address belongs to a user who chose
one, else in the sender's."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from apps.accounts.email_locale import locale_for


def send_templated_email(
    *, template: str, to: str, context: dict, language: str | None = None
) -> None:
    """Render `<template>_subject.txt`, `.txt` and `.html` and send them now, in the
    recipient's language (else `language`, else the active one) and time zone."""
    context = {
        "SITE_NAME": settings.SITE_NAME,
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **context,
    }
    with locale_for(to, fallback_language=language).active():
        subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
        message = EmailMultiAlternatives(
            subject=subject,
            body=render_to_string(f"{template}.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[to],
        )
        message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def send_on_commit(*, template: str, to: str, context: dict) -> None:
    """Send once the current transaction commits (never for a change that rolled back).
    The sender's language is taken now, while their request is still active."""
    language = translation.get_language()
    transaction.on_commit(
        lambda: send_templated_email(template=template, to=to, context=context, language=language)
    )
