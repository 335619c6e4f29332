"""django-csp's middleware with the policy string built once, not on every response.

django-csp 4.0's `CSPMiddleware.process_response` rebuilds the header from the settings for
every response (`csp.utils.build_policy`: copies the directives, merges, sorts and joins them),
although the portal's policy never changes between responses: no view uses a nonce or the
`csp_update` / `csp_replace` / `csp` decorators. `CachedCSPMiddleware` builds each header
(enforced and report-only) once per process and reuses the string.

A response that does carry per-response policy (a decorator set `_csp_config`, `_csp_update`
or `_csp_replace`, or the page asked for `request.csp_nonce`) goes through django-csp's own
code unchanged, so using those features later needs no change here. The cache is dropped when
a test changes the CSP settings (`setting_changed`).
"""

from __future__ import annotations

import http.client as http_client

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject, CSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_PER_RESPONSE_ATTRS = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
_SETTINGS = ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY", "DEBUG")

# report_only (False / True) -> (header string, excluded URL prefixes)
_cache: dict[bool, tuple[str, tuple[str, ...]]] = {}


def _policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    cached = _cache.get(report_only)
    if cached is None:
        name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
        config = getattr(settings, name, None) or {}
        prefixes = tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())
        cached = (build_policy(report_only=report_only), prefixes)
        _cache[report_only] = cached
    return cached


@receiver(setting_changed)
def _forget_policy(*, setting, **kwargs):
    if setting in _SETTINGS:
        _cache.clear()


class CachedCSPMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        per_response = any(getattr(response, a, None) is not None for a in _PER_RESPONSE_ATTRS)
        if per_response or getattr(request, "_csp_nonce", None) is not None:
            return super().process_response(request, response)

        # the same steps as CSPMiddleware.process_response, with the strings built once
        if (
            response.status_code
            in (
                http_client.INTERNAL_SERVER_ERROR,
                http_client.NOT_FOUND,
            )
            and settings.DEBUG
        ):
            return response
        for report_only, header, exempt_attr in (
            (False, HEADER, "_csp_exempt"),
            (True, HEADER_REPORT_ONLY, "_csp_exempt_ro"),
        ):
            policy, prefixes = _policy(report_only)
            if (
                policy
                and header not in response
                and getattr(response, exempt_attr, False) is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # as django-csp does: asking for a nonce after the header is written is an error
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
