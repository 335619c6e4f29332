from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .registry import KINDS

# Notifications older than this are not shown, and `notifications_prune` deletes them.
RETENTION_DAYS = 90


def retention_cutoff():
    return timezone.now() - timedelta(days=RETENTION_DAYS)


class NotificationQuerySet(models.QuerySet):
    def recent(self):
        """Within the retention period: the ones the portal still shows."""
        return self.filter(created_at__gte=retention_cutoff())

    def for_user(self, user):
        return self.filter(user=user).recent()

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """One in-portal notice to one user: the record of what they were told.

    Stored as its kind and plain-text parameters; the title is written when displayed, in
    the language of whoever reads it (see apps/notifications/registry.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        kind = KINDS.get(self.kind)
        return (kind.format(kind.title, self.params) if kind else "") or self.kind

    @property
    def summary(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.format(kind.summary, self.params) if kind else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one optional kind. No row means the email is sent."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=64)
    email_enabled = models.BooleanField(_("email"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"
