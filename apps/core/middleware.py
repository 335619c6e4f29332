"""Request hygiene every page shares: no NUL byte reaches a view, and no signed-in page is kept
by a cache."""

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
