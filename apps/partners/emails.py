"""Emails of the partners app: each has a plain-text and an HTML part, rendered from
templates/partners/email/ and sent after the transaction that created the link commits."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string


def send_templated_email(*, template: str, to: str, context: dict) -> None:
    """Render `<template>_subject.txt`, `.txt` and `.html` and send them now."""
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
        to=[to],
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    message.send()


def send_on_commit(*, template: str, to: str, context: dict) -> None:
    """Send once the current transaction commits (never for a change that rolled back)."""
    transaction.on_commit(lambda: send_templated_email(template=template, to=to, context=context))
