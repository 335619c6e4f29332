"""Signed-in pages served again while nothing in the database has changed (issue 18).

A signed-in page costs 10–40 ms of Python (templates, forms, the header's switcher) and a
handful of queries; a user who reloads a list, or comes back to it, gets the same bytes.
`PageCacheMiddleware` keeps the HTML of a page it has rendered for a few seconds and serves it
again to the *same session* asking for the *same URL*, as long as:

- **nothing was written to the database since it was rendered.** The key holds PostgreSQL's
  current WAL insert position (`pg_current_wal_insert_lsn()`, one cheap query), which moves
  forward with every change and every commit record as it is written, whoever makes it: a
  service, the admin, the task worker, a management command, another server. (The *write*
  position, `pg_current_wal_lsn()`, can lag behind an asynchronous commit.) There is nothing
  to invalidate and no write path that could be forgotten: the first request after any write
  renders afresh. The position is read before the page is rendered, so a page that saw a
  write committed while it was rendering is stored under a position no request will ask for
  again.
- **the moment is still recent** (PORTAL_PAGE_CACHE_SECONDS, 30 by default): what depends on
  the clock alone (an invitation that expires, "ends within 7 days") is at most that old.
- **it is the same reader**: session, CSRF cookie (the forms' tokens are in the HTML), user,
  language, time zone, host, scheme, full path and query string, and Accept header are in the
  key. Another user, another session or another language never shares an entry.

What is never stored: anything but a GET answered 200 with HTML by a signed-in session user;
a streamed response (exports); a view that said `no-cache` / `no-store` itself (never_cache);
a page that showed or queued a flash message, or changed the session (what is shown once, a
new API key's secret, is taken from the session); a response larger than MAX_BYTES; the API
(`/api/`, its own authentication). A request with pending flash
messages, or a browser's hard reload (`Cache-Control: no-cache`), is never served from it.

Only on PostgreSQL (SQLite has no WAL position to read; `make run` renders every page). The
entries live in the default cache (Redis in production). The middleware sits last in
MIDDLEWARE: sign-in, two-step verification, idle sign-out, rate limits and the security
headers all run for a cached page as for any other; only the view is skipped. Permissions need
no check of their own: they are database rows, and changing one moves the WAL position.
"""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import get_max_age
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

KEY_PREFIX = "page:"
# A page this large is not worth keeping (and no portal page is)
MAX_BYTES = 1_000_000
SKIPPED_PREFIXES = ("/api/",)
MESSAGES_COOKIE = "messages"
MESSAGES_SESSION_KEY = "_messages"


def wal_position() -> str | None:
    """PostgreSQL's current WAL position, or None where there is none (SQLite, a standby)."""
    if connection.vendor != "postgresql":
        return None
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            return cursor.fetchone()[0]
    except DatabaseError:  # a read-only standby cannot answer; render instead
        logger.warning("page cache: no WAL position, rendering", exc_info=True)
        return None


def _messages_pending(request) -> bool:
    if request.COOKIES.get(MESSAGES_COOKIE):
        return True
    session = getattr(request, "session", None)
    return bool(session is not None and session.get(MESSAGES_SESSION_KEY))


def _messages_touched(request) -> bool:
    storage = getattr(request, "_messages", None)
    return bool(
        storage is not None
        and (getattr(storage, "used", False) or getattr(storage, "_queued_messages", None))
    )


def _only_the_same_csrf_cookie(request, response) -> bool:
    """No cookie is set but the CSRF cookie the request already holds (csrf_protect renews
    it on the admin's pages): nothing a cached copy would fail to send."""
    name = settings.CSRF_COOKIE_NAME
    if not set(response.cookies) <= {name}:
        return False
    return name not in response.cookies or (
        response.cookies[name].value == request.COOKIES.get(name)
    )


def page_key(request, position: str) -> str:
    session = request.session.session_key or ""
    parts = [
        position,
        session,
        request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
        str(request.user.pk),
        get_language() or "",
        timezone.get_current_timezone_name(),
        request.scheme,
        request.get_host(),
        request.get_full_path(),
        request.headers.get("Accept", ""),
    ]
    digest = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    return KEY_PREFIX + digest


def _may_use(request) -> bool:
    user = getattr(request, "user", None)
    return (
        settings.PORTAL_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and user is not None
        and user.is_authenticated
        and getattr(request, "session", None) is not None
        and bool(request.session.session_key)
        and bool(request.COOKIES.get(settings.CSRF_COOKIE_NAME))
        and not request.path_info.startswith(SKIPPED_PREFIXES)
        and "no-cache" not in request.headers.get("Cache-Control", "")
        and not _messages_pending(request)
    )


def _may_store(request, response) -> bool:
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and "no-store" not in cache_control
        and "no-cache" not in cache_control
        and get_max_age(response) != 0
        and _only_the_same_csrf_cookie(request, response)
        and not response.has_header("Content-Disposition")
        and len(response.content) <= MAX_BYTES
        and not _messages_touched(request)
        # a view that changed the session showed something once (a new key's secret)
        and not request.session.modified
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _may_use(request):
            return self.get_response(request)
        position = wal_position()
        if position is None:
            return self.get_response(request)
        key = page_key(request, position)
        try:
            stored = cache.get(key)
        except Exception:  # the cache is down: render, as without it
            logger.warning("page cache: the cache is unavailable", exc_info=True)
            return self.get_response(request)
        if stored is not None:
            return self._rebuild(stored)
        response = self.get_response(request)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        if _may_store(request, response):
            try:
                cache.set(key, self._freeze(response), settings.PORTAL_PAGE_CACHE_SECONDS)
            except Exception:
                logger.warning("page cache: the cache is unavailable", exc_info=True)
        return response

    @staticmethod
    def _freeze(response) -> dict:
        return {
            "content": response.content,
            "headers": [(name, value) for name, value in response.items()],
        }

    @staticmethod
    def _rebuild(stored: dict):
        response = HttpResponse(stored["content"])
        for name, value in stored["headers"]:
            response[name] = value
        return response
