"""Middleware every page shares: no NUL byte reaches a view, no signed-in page is kept by a
cache, and idle sessions are signed out (issue 15)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpResponseBadRequest, HttpResponseNotFound
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

NUL = "\x00"


def _has_nul(query) -> bool:
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


class RejectNulBytesMiddleware:
    """A NUL byte is never valid input: PostgreSQL refuses it in text, so a filter, search or id
    holding one would fail deep in a query (a 500, or a CSV export cut off midway). The path
    answers 404, a query string or form field 400, before any view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if NUL in request.path_info:
            return HttpResponseNotFound(_("Not found."))
        if _has_nul(request.GET) or (
            request.method == "POST"
            and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data")
            and _has_nul(request.POST)
        ):
            return HttpResponseBadRequest(
                _("The request contains a character that is not allowed.")
            )
        return self.get_response(request)


class PrivateCacheControlMiddleware:
    """Every response to a signed-in user (and every CSV export) says `Cache-Control: private,
    no-store`: neither a shared proxy nor the browser's back button on a shared computer may
    keep a private page. Directives a view already set are kept (patch_cache_control merges),
    so a stricter header stays strict. Static files never get here (WhiteNoise answers first)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        export = response.get("Content-Disposition", "").startswith("attachment")
        if signed_in or export:
            patch_cache_control(response, private=True, no_store=True)
        return response


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
