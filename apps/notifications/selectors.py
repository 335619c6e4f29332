"""Reads of a user's notifications."""

from django.db.models import F, QuerySet

from .models import Notification


def notification_list(user) -> QuerySet[Notification]:
    """The user's notifications of the retention period, unread first, newest first."""
    return Notification.objects.for_user(user).order_by(
        F("read_at").asc(nulls_first=True), "-created_at", "-pk"
    )


def unread_count(user) -> int:
    """One indexed query (user, read_at, created_at)."""
    return Notification.objects.for_user(user).unread().count()
