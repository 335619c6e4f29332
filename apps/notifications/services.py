"""Telling people: one in-portal notification per user, and the email.

`notify` runs inside the transaction of the change it reports (like audit_record), so the
record and the change commit or roll back together; the email is rendered now and sent after
commit by apps.core.emails.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from apps.core.emails import send_email, unique_addresses

from .models import Notification, NotificationPreference, retention_cutoff
from .registry import get_kind, optional_kinds


@dataclass
class Audience:
    """Who hears about an organization's matters: users (in the portal and by email) and
    plain addresses (email only, e.g. a partner's contact address)."""

    users: list = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    @property
    def addresses(self) -> list[str]:
        """Every address, each once: the plain ones first, then the users'."""
        return unique_addresses([*self.emails, *(u.email for u in self.users)])


def notify(
    *,
    kind: str,
    users: Iterable = (),
    emails: Iterable[str] = (),
    context: dict,
    url: str = "",
    by=None,
) -> list[Notification]:
    """Tell `users` and `emails` that `kind` happened. Must run inside transaction.atomic().

    Each active user gets an in-portal Notification (except `by`, who took the action) —
    always, it is the record. The email (`kind`'s template, rendered with `context`) goes to
    the users who did not turn it off (only optional kinds can be) and to the plain
    addresses, each in its recipient's language. Returns the notifications written.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("notify must be called inside transaction.atomic()")
    spec = get_kind(kind)
    unique_users = list({u.pk: u for u in users if u is not None and u.is_active}.values())
    params = spec.params(context)
    by_pk = getattr(by, "pk", None)
    created = Notification.objects.bulk_create(
        [
            Notification(user=u, kind=kind, params=params, url=url)
            for u in unique_users
            if u.pk != by_pk
        ]
    )
    muted: set[str] = set()
    if not spec.essential and unique_users:
        muted = {
            email.lower()
            for email in NotificationPreference.objects.filter(
                user__in=unique_users, kind=kind, email_enabled=False
            ).values_list("user__email", flat=True)
        }
    addresses = [
        address
        for address in unique_addresses([*emails, *(u.email for u in unique_users)])
        if address not in muted
    ]
    send_email(template=spec.email_template, to=addresses, context=context)
    return created


def notifications_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (all of them, or those listed)."""
    queryset = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        queryset = queryset.filter(pk__in=list(notification_ids))
    return queryset.update(read_at=timezone.now())


def notification_preferences_set(*, user, email_kinds: Iterable[str]) -> None:
    """Email the user for the optional kinds in `email_kinds`, not for the others. Essential
    kinds are always emailed: naming or omitting them here changes nothing."""
    wanted = set(email_kinds)
    with transaction.atomic():
        for kind in optional_kinds():
            NotificationPreference.objects.update_or_create(
                user=user, kind=kind.code, defaults={"email_enabled": kind.code in wanted}
            )


def email_preferences(user) -> dict[str, bool]:
    """Optional kind code -> whether the user gets its email."""
    stored = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "email_enabled")
    )
    return {kind.code: stored.get(kind.code, True) for kind in optional_kinds()}


def notifications_prune() -> int:
    """Delete the notifications past the retention period. Returns how many."""
    deleted, _ = Notification.objects.filter(created_at__lt=retention_cutoff()).delete()
    return deleted
