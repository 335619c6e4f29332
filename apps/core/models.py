"""The email outbox: every message the portal sends is first a row here, written in the
transaction of the change that causes it, then delivered by a worker (apps/core/tasks.py)."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """One rendered message waiting for, or done with, delivery.

    `purpose` and `ref` say what the message is about (e.g. "invitations.delivery" and the
    delivery's id) so the app that sent it can react to `email_sent` / `email_failed` without
    core knowing that app.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    from_email = models.CharField(_("from"), max_length=255)
    to = models.JSONField(_("to"), default=list)
    cc = models.JSONField(_("cc"), default=list, blank=True)
    bcc = models.JSONField(_("bcc"), default=list, blank=True)
    reply_to = models.JSONField(_("reply to"), default=list, blank=True)
    headers = models.JSONField(_("extra headers"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=998)
    text_body = models.TextField(_("text body"), blank=True)
    html_body = models.TextField(_("HTML body"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=1000, blank=True)
    purpose = models.CharField(_("purpose"), max_length=64, blank=True)
    ref = models.CharField(_("reference"), max_length=64, blank=True)

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        verbose_name_plural = _("outbound emails")
        ordering = ["-created_at"]
        indexes = [
            # the sweeper (overdue queued rows) and /healthz (oldest queued, counts)
            models.Index(fields=["status", "next_attempt_at"], name="outbox_status_next_idx"),
            models.Index(fields=["status", "created_at"], name="outbox_status_created_idx"),
            # an app finding the messages about one of its objects
            models.Index(fields=["purpose", "ref"], name="outbox_purpose_ref_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "sent", "failed"]),
                name="outbox_status_valid",
            ),
        ]

    def __str__(self):
        return f"{', '.join(self.to)}: {self.subject}"
