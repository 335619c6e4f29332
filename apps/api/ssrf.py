"""Webhook URLs must be https and must not resolve to a private, loopback, link-local or
otherwise non-public address (a webhook must never reach the portal's own network).
settings.WEBHOOKS_ALLOW_PRIVATE_URLS (tests only) lets http and loopback receivers through."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve_public(host: str, port: int) -> list[str]:
    """The host's addresses; ValidationError if it does not resolve or any is not public."""
    try:
        infos = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        raise ValidationError(_("This host name does not resolve."), code="dns") from None
    addresses = sorted({info[4][0] for info in infos})
    if not addresses:
        raise ValidationError(_("This host name does not resolve."), code="dns")
    if settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        return addresses
    if not all(_is_public(a) for a in addresses):
        raise ValidationError(
            _("Webhook URLs must not point to a private, loopback or reserved address."),
            code="private",
        )
    return addresses


def validate_webhook_url(url: str, *, resolve: bool = True) -> None:
    """https only (http as well with WEBHOOKS_ALLOW_PRIVATE_URLS), no credentials, public."""
    if not url or len(url) > 500:
        raise ValidationError(_("Enter a URL of at most 500 characters."), code="invalid")
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError(_("Enter a valid URL."), code="invalid") from None
    parts = urlsplit(url)
    if parts.scheme != "https" and not settings.WEBHOOKS_ALLOW_PRIVATE_URLS:
        raise ValidationError(_("Webhook URLs must use https."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Webhook URLs must not contain credentials."), code="invalid")
    if resolve:
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise ValidationError(_("Enter a valid URL."), code="invalid") from None
        resolve_public(parts.hostname or "", port)
