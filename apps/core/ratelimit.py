"""Rate limits on the public and one-time-link pages (issue 15).

Counting is django-ratelimit's (fixed windows in the default cache: Redis when REDIS_URL is
set, so every app server shares the counts; the local-memory cache otherwise). Each scope in
settings.PORTAL_RATE_LIMITS has two counters, either of which blocks:

- "ip": per client IP (apps.core.client_ip, which honours PORTAL_TRUST_X_FORWARDED_FOR; IPv6
  addresses count per /64, one subscriber's network);
- "account": per signed-in user, else per email typed in the form (sign-up, password reset).

A blocked request raises RateLimited before the view runs, so it changes nothing;
django-ratelimit's middleware turns it into settings.RATELIMIT_VIEW (the 429 page, with
Retry-After). Use it as one line on a view:

    @rate_limit("link_open", methods=("GET",))
    @method_decorator(rate_limit("signup", methods=("POST",), email_field="email"), name="dispatch")
"""

import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited

from .client_ip import client_ip

logger = logging.getLogger(__name__)

ALL_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class RateLimited(Ratelimited):
    """Too many requests in one scope; retry_after is in seconds."""

    def __init__(self, scope: str, retry_after: int):
        super().__init__(f"rate limit {scope}")
        self.scope = scope
        self.retry_after = retry_after


def _ip_key(request) -> str:
    ip = client_ip(request)
    if ip is None:
        return "ip:unknown"
    address = ipaddress.ip_address(ip)
    if address.version == 6:
        return "ip:" + str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    return f"ip:{ip}"


def _account_key(request, email_field: str | None) -> str | None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    if email_field and request.method == "POST":
        email = request.POST.get(email_field, "").strip().lower()
        if email:
            return f"email:{email}"
    return None


def check_rate_limit(request, scope: str, *, email_field: str | None = None) -> None:
    """Count this request in each of the scope's counters; raise RateLimited when one is over
    its rate. If the cache cannot be reached the request is let through (and logged): the
    limits slow down abuse, they are not what keeps the portal's data safe."""
    rates = settings.PORTAL_RATE_LIMITS[scope]
    keys = {"ip": _ip_key(request), "account": _account_key(request, email_field)}
    retry_after = 0
    for kind, value in keys.items():
        rate = rates.get(kind)
        if not rate or value is None:
            continue
        try:
            usage = get_usage(
                request,
                group=f"portal:{scope}:{kind}",
                key=lambda group, request, value=value: value,
                rate=rate,
                increment=True,
            )
        except Exception:
            logger.exception("rate limit %s: the cache is unavailable, request let through", scope)
            continue
        if usage and usage["should_limit"]:
            retry_after = max(retry_after, usage["time_left"], 1)
    if retry_after:
        logger.warning("rate limit %s reached (%s)", scope, keys["ip"])
        raise RateLimited(scope, retry_after)


def rate_limit(scope: str, *, methods=ALL_METHODS, email_field: str | None = None):
    """A view decorator: count (and refuse over the limit) requests with one of `methods`.
    For a class-based view wrap it in method_decorator(..., name="dispatch")."""
    if scope not in settings.PORTAL_RATE_LIMITS:
        raise KeyError(f"no rates for {scope!r} in settings.PORTAL_RATE_LIMITS")

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                check_rate_limit(request, scope, email_field=email_field)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
