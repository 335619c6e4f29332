from functools import cached_property

from .selectors import unread_count


class NotificationBell:
    """The header bell: counts the unread notifications only when a page shows it."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def unread(self) -> int:
        if self.user is None or not self.user.is_authenticated:
            return 0
        return unread_count(self.user)


def notifications(request):
    return {"notification_bell": NotificationBell(getattr(request, "user", None))}
