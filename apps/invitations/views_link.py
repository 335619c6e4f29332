"""The public side of an invitation link (DESIGN.md §5).

GET /i/<token>/ moves the token into the session and redirects to /i/, so the secret never
stays in the address bar, the history, a Referer header or an access log. The landing page
/i/ shows what the invitation offers; the customer's decision form comes from
invitations/_accept_panel.html (the acceptance views own the POSTs).
"""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .services import delivery_record_open, invitation_record_dead_link_use
from .tokens import (
    LinkProblem,
    first_report_of_link,
    forget_link,
    remember_link,
    resolve_session_link,
)

# A real token is about 70 characters; anything much longer is not worth keeping in a session.
MAX_TOKEN_LENGTH = 200

PROBLEM_STATUS = {
    LinkProblem.REVOKED: 410,
    LinkProblem.EXPIRED: 410,
    LinkProblem.USED: 410,
    LinkProblem.TAMPERED: 404,
    LinkProblem.UNKNOWN: 404,
}


def _no_leaks(response):
    response["Referrer-Policy"] = "no-referrer"
    return response


def _same_origin_referrer(response):
    # The landing URL holds no token, so same-origin is enough. "no-referrer" here would make
    # browsers send `Origin: null` with the page's POST forms (accept, decline, sign out,
    # language), which Django's CSRF check refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


@never_cache
@login_not_required
@require_safe
def link(request, token: str):
    if len(token) <= MAX_TOKEN_LENGTH:
        remember_link(request, token)
    else:
        forget_link(request)
    return _no_leaks(redirect("invitations:landing"))


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
                user=user,
            )
        return _same_origin_referrer(
            render(
                request,
                "invitations/link_problem.html",
                {"problem": resolution.problem or LinkProblem.UNKNOWN},
                status=PROBLEM_STATUS.get(resolution.problem, 404),
            )
        )
    invitation = resolution.invitation
    delivery = resolution.delivery
    if delivery is not None and delivery.first_opened_at is None:
        delivery_record_open(delivery=delivery, user=user)
    context = {
        "invitation": invitation,
        "delivery": delivery,
        "link": resolution,
        "services": list(invitation.services.all()),
    }
    return _same_origin_referrer(render(request, "invitations/landing.html", context))
