"""The public side of an invitation link (docs/product.md §5).

GET /i/<token>/ moves the token into the session and redirects to /i/, so the secret never
stays in the address bar, the history, a Referer header or an access log. The landing page
/i/ shows what the invitation offers; the customer's decision form comes from
invitations/_accept_panel.html (the acceptance views own the POSTs).
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from apps.core.links import LinkProblem, render_link_problem
from apps.core.ratelimit import rate_limit

from .services import delivery_record_open, invitation_record_dead_link_use
from .tokens import first_report_of_link, open_link, resolve_session_link


def _same_origin_referrer(response):
    # The landing URL holds no token, so same-origin is enough. "no-referrer" here would make
    # browsers send `Origin: null` with the page's POST forms (accept, decline, sign out,
    # language), which Django's CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@login_not_required
@require_safe
@rate_limit("link_open")
def link(request, token: str):
    return open_link(request, token)


@never_cache
@login_not_required
@require_safe
def landing(request):
    """Read-only, except the delivery's first-opened time (and its one audit event)."""
    resolution = resolve_session_link(request)
    user = request.user if request.user.is_authenticated else None
    if not resolution.ok:
        invitation = resolution.invitation
        if (
            invitation is not None
            and resolution.problem in (LinkProblem.REVOKED, LinkProblem.EXPIRED)
            and first_report_of_link(request)
        ):
            invitation_record_dead_link_use(
                invitation=invitation,
                problem=resolution.problem,
                delivery=resolution.delivery,
                by=user,
            )
        return _same_origin_referrer(render_link_problem(request, resolution.problem))
    invitation = resolution.invitation
    delivery = resolution.delivery
    if delivery is not None and delivery.first_opened_at is None:
        delivery_record_open(delivery=delivery, by=user)
    context = {
        "invitation": invitation,
        "delivery": delivery,
        "link": resolution,
        "services": list(invitation.services.all()),
    }
    return _same_origin_referrer(render(request, "invitations/landing.html", context))
