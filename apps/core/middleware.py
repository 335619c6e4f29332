"""Signing out idle sessions (issue 15)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "_portal_last_activity"
# Write the session at most once a minute for an active user, not on every request
TOUCH_EVERY_SECONDS = 60


def idle_timeout_for(user) -> int:
    """Seconds without a request after which the user's session ends."""
    if user.is_staff:
        return settings.PORTAL_IDLE_TIMEOUT_STAFF
    return settings.PORTAL_IDLE_TIMEOUT


@receiver(user_logged_in, dispatch_uid="core_idle_clock_starts_at_sign_in")
def start_idle_clock(sender, request, user, **kwargs):
    """The clock starts at sign-in, so the first requests after it need not write the session."""
    session = getattr(request, "session", None)
    if session is not None:
        session[LAST_ACTIVITY_KEY] = int(time.time())


class IdleTimeoutMiddleware:
    """Sign out a signed-in user whose last request is older than their idle timeout
    (PORTAL_IDLE_TIMEOUT_STAFF for operator staff, PORTAL_IDLE_TIMEOUT for everyone else);
    the request then goes on as an anonymous one, so a private page redirects to sign-in.
    Runs after the session, authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = idle_timeout_for(user)
            if isinstance(last, int) and now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": timeout // 60},
                )
            elif not isinstance(last, int) or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)
