"""Project-wide views: health check and friendly error pages."""

import logging
import math

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token

from apps.core.health import outbox_health

logger = logging.getLogger(__name__)


@never_cache
@login_not_required
def healthz(request):
    """200 when the database answers, 503 when it does not (for load balancers). The body also
    reports the email outbox (queued, failed, oldest queued age): a backlog is for monitoring
    to alert on, not a reason to take the server out of the load balancer."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("health check: database unavailable")
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    body = {"status": "ok", "database": "up"}
    try:
        body["outbox"] = outbox_health()
    except DatabaseError:
        logger.exception("health check: outbox counts unavailable")
        body["outbox"] = None
    return JsonResponse(body)


@requires_csrf_token
def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


@requires_csrf_token
def permission_denied(request, exception=None):
    """The 403 page. Refused on an organization's page, a member keeps that organization's
    navigation (its tabs show what they may open instead), and the reason speaks to them."""
    message = str(exception) if exception and str(exception) else ""
    membership = getattr(request, "denied_partner_membership", None)
    if membership is not None:
        context = {"message": message, "partner": membership.partner, "membership": membership}
        return render(request, "errors/403_partner.html", context, status=403)
    return render(request, "errors/403.html", {"message": message}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


@requires_csrf_token
def server_error(request):
    """The 500 page, rendered without the request's context processors: they read the session
    and the user from the database, which may be what failed."""
    context = {"SITE_NAME": settings.SITE_NAME, "request_id": getattr(request, "request_id", "")}
    return HttpResponseServerError(loader.render_to_string("errors/500.html", context))


def csrf_failure(request, reason=""):
    return render(request, "errors/403_csrf.html", status=403)


@requires_csrf_token
def too_many_requests(request, exception=None):
    """The 429 page (settings.RATELIMIT_VIEW): a rate limit in apps/core/ratelimit.py refused
    the request before its view ran. Retry-After says when the counter that blocked resets."""
    retry_after = getattr(exception, "retry_after", None) or 60
    response = render(
        request,
        "errors/429.html",
        {"retry_after_minutes": max(1, math.ceil(retry_after / 60))},
        status=429,
    )
    response["Retry-After"] = str(int(retry_after))
    add_never_cache_headers(response)
    return response
