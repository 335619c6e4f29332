"""The client's IP address, as the audit log, the sign-in lockout and the rate limits see it."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or the first X-Forwarded-For address when PORTAL_TRUST_X_FORWARDED_FOR is
    set (only behind our own proxy, which replaces the header). None when it is not an IP."""
    candidate = request.META.get("REMOTE_ADDR", "")
    if settings.PORTAL_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            candidate = forwarded.split(",")[0].strip()
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return None
