from . import LOGIN, Route, expect

ROWS = [
    Route("notifications:list", expect(200, anonymous=LOGIN)),
    Route("notifications:mark_all_read", expect(405, anonymous=LOGIN)),  # POST only
    Route("notifications:settings", expect(200, anonymous=LOGIN)),
    Route(
        "notifications:open",
        # the notification belongs to the provider's Global admin: everyone else gets 404
        expect(404, anonymous=LOGIN, provider_admin=302),
        kwargs=lambda cast: {"notification_id": _notification_of(cast.provider_admin).pk},
    ),
]


def _notification_of(user):
    from apps.notifications.models import Notification

    return Notification.objects.create(user=user, kind="grant.received", params={})
