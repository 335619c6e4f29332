"""How a call is authenticated, authorized and limited: `Authorization: Bearer pp_…`.

- ApiKeyAuthentication: unknown, revoked or expired keys get 401 (with the reason).
- KeyPermission: the view's `permissions` map says which portal permission each method needs;
  the key's membership answers it through PartnerMembership.has_perm, the same place the pages
  ask (apps/partners/mixins.require_perm, with the same messages). Staff keys read everything
  and write nothing.
- ApiKeyRateThrottle: per key, counted in the default cache (Redis in production) through
  django-ratelimit, like apps/core/ratelimit.py; over the rate: 429 with Retry-After.
"""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import BaseThrottle

from apps.partners.mixins import require_perm
from apps.partners.models import PartnerMembership

from . import keys
from .models import ApiKey

TOUCH_EVERY = datetime.timedelta(seconds=60)


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the key as “Authorization: Bearer KEY”."))
        raw = header[1].decode("ascii", errors="replace")
        prefix = keys.split_key(raw)
        key = (
            ApiKey.objects.select_related("partner", "actor").filter(prefix=prefix).first()
            if prefix
            else None
        )
        if key is None or not keys.matches(raw, key.key_hash):
            raise exceptions.AuthenticationFailed(_("This API key is not valid."))
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if key.is_expired:
            raise exceptions.AuthenticationFailed(_("This API key has expired."))
        now = timezone.now()
        if key.last_used_at is None or key.last_used_at < now - TOUCH_EVERY:
            # One write a minute per key, not one per call
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return (key.actor, key)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


def key_membership(key: ApiKey) -> PartnerMembership | None:
    if not hasattr(key, "_membership"):
        key._membership = (
            PartnerMembership.objects.select_related("partner")
            .filter(user_id=key.actor_id, partner_id=key.partner_id)
            .first()
        )
    return key._membership


class KeyPermission(BasePermission):
    """`view.permissions = {"GET": "invitations.view", "POST": "invitations.create"}`."""

    def has_permission(self, request, view):
        key = request.auth
        if not isinstance(key, ApiKey):
            raise exceptions.NotAuthenticated(_("Send an API key: “Authorization: Bearer KEY”."))
        perm = view.permissions.get(request.method if request.method != "HEAD" else "GET")
        if key.is_staff_key:
            if request.method in SAFE_METHODS:
                return True
            raise exceptions.PermissionDenied(_("Staff keys can read, not change anything."))
        membership = key_membership(key)
        if membership is None:
            raise exceptions.AuthenticationFailed(_("This API key has been revoked."))
        if perm:
            require_perm(membership, perm)
        return True


class ApiKeyRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        key = request.auth
        rate = settings.API_RATE_LIMIT
        if not isinstance(key, ApiKey) or not rate:
            return True
        try:
            usage = get_usage(
                request._request,
                group="api:key",
                key=lambda group, req, prefix=key.prefix: prefix,
                rate=rate,
                increment=True,
            )
        except Exception:  # the cache is down: let the call through (limits are not security)
            return True
        if usage and usage["should_limit"]:
            self._wait = max(usage["time_left"], 1)
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", 1)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: `Authorization: Bearer pp_…`."""

    target_class = "apps.api.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An API key (pp_…)."}
