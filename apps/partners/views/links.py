"""The public landing pages of one-time team and partnership links (`/t/<token>/`), and the
join and declined pages behind them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache

from apps.accounts.services import signup_request
from apps.accounts.signups import signup_sent
from apps.core.forms import error_text
from apps.core.links import render_link_problem
from apps.core.ratelimit import rate_limit

from .. import selectors, services
from ..forms import (
    NEW_ORGANIZATION,
    PartnershipAcceptForm,
    ResellerSignUpForm,
    TeamSignUpForm,
)
from ..links import (
    PARTNERSHIP_LINK,
    TEAM_LINK,
    LinkProblem,
    partnership_invitation_problem,
    team_invitation_problem,
)
from ..models import PartnerMembership, TeamInvitation

ACCOUNT_BACKEND = "apps.accounts.backends.EmailBackend"


public = method_decorator([login_not_required, never_cache], name="dispatch")


@public
@method_decorator(rate_limit("link_open"), name="dispatch")
class LinkView(View):
    """`/t/<token>/`: move the token (as its hash) into the session and redirect to a URL
    without it, so it never leaks through Referer, history or access logs. Changes nothing."""

    http_method_names = ["get"]

    def get(self, request, token):
        target = selectors.link_target_for_token(token)
        if target is None:
            return render_link_problem(request, LinkProblem.UNKNOWN)
        if isinstance(target, TeamInvitation):
            to = reverse("partners:team_join")
            return TEAM_LINK.put_and_redirect(request, target.token_hash, to)
        to = reverse("partners:partnership_join")
        return PARTNERSHIP_LINK.put_and_redirect(request, target.token_hash, to)


def _login_url_back_to(path: str) -> str:
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': path})}"


def _account_exists(email: str) -> bool:
    return get_user_model().objects.filter(email__iexact=email).exists()


@public
@method_decorator(rate_limit("link_page"), name="dispatch")
@method_decorator(rate_limit("signup", methods=("POST",)), name="dispatch")
class TeamJoinView(View):
    """The landing page of a team invitation: sign in or sign up, then accept or decline."""

    template_name = "partners/team_join.html"

    def get_invitation(self):
        return selectors.team_invitation_for_token_hash(TEAM_LINK.get(self.request))

    def dispatch(self, request, *args, **kwargs):
        self.invitation = self.get_invitation()
        problem = team_invitation_problem(self.invitation)
        if problem:
            return render_link_problem(request, problem)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, signup_form=None, status=200):
        invitation = self.invitation
        user = self.request.user
        account_exists = not user.is_authenticated and _account_exists(invitation.email)
        if signup_form is None and not user.is_authenticated and not account_exists:
            signup_form = TeamSignUpForm(invited_email=invitation.email)
        already_member = (
            user.is_authenticated
            and PartnerMembership.objects.filter(partner=invitation.partner, user=user).exists()
        )
        return render(
            self.request,
            self.template_name,
            {
                "invitation": invitation,
                "partner": invitation.partner,
                "email_matches": user.is_authenticated
                and user.email.lower() == invitation.email.lower(),
                "already_member": already_member,
                "account_exists": account_exists,
                "signup_form": signup_form,
                "login_url": _login_url_back_to(self.request.path),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page()

    def post(self, request):
        invitation = self.invitation
        if request.POST.get("action") == "decline":
            try:
                services.team_invitation_decline(invitation_id=invitation.pk, by=request.user)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
                return redirect("partners:team_join")
            TEAM_LINK.clear(request)
            return render(
                request, "partners/link_declined.html", {"organization": invitation.partner}
            )
        new_account = None
        if not request.user.is_authenticated:
            if _account_exists(invitation.email):
                return redirect(_login_url_back_to(request.path))
            form = TeamSignUpForm(request.POST, invited_email=invitation.email)
            if not form.is_valid():
                return self.render_page(signup_form=form, status=400)
            new_account = services.NewAccount(
                display_name=form.cleaned_data["display_name"],
                email=invitation.email,
                password=form.cleaned_data["password1"],
            )
        try:
            membership = services.team_invitation_accept(
                invitation_id=invitation.pk, by=request.user, new_account=new_account
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("partners:team_join")
        if new_account is not None:
            login(request, membership.user, backend=ACCOUNT_BACKEND)
        TEAM_LINK.clear(request)
        messages.success(
            request,
            _("Welcome to %(name)s. Your role is %(role)s.")
            % {"name": membership.partner.name, "role": membership.get_role_display()},
        )
        return redirect("partners:home", partner_id=membership.partner.public_id)


@public
@method_decorator(rate_limit("link_page"), name="dispatch")
@method_decorator(rate_limit("signup", methods=("POST",), email_field="email"), name="dispatch")
class PartnershipJoinView(View):
    """The landing page of a provider's invitation to become its reseller: sign in (and pick
    a reseller organization you administer) or sign up with a new one; accept or decline."""

    template_name = "partners/partnership_join.html"

    def dispatch(self, request, *args, **kwargs):
        self.partnership = selectors.partnership_for_token_hash(PARTNERSHIP_LINK.get(request))
        problem = partnership_invitation_problem(self.partnership)
        if problem:
            return render_link_problem(request, problem)
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, *, accept_form=None, signup_form=None, status=200):
        user = self.request.user
        partnership = self.partnership
        if user.is_authenticated:
            accept_form = accept_form or PartnershipAcceptForm(user=user, partnership=partnership)
        elif not partnership.reseller_id:
            signup_form = signup_form or ResellerSignUpForm(
                initial={"email": partnership.invited_email}
            )
        return render(
            self.request,
            self.template_name,
            {
                "partnership": partnership,
                "provider": partnership.provider,
                "accept_form": accept_form,
                "signup_form": signup_form,
                "login_url": _login_url_back_to(self.request.path),
                "has_choices": bool(accept_form and accept_form.fields["organization"].choices),
            },
            status=status,
        )

    def get(self, request):
        return self.render_page()

    def post(self, request):
        partnership = self.partnership
        if request.POST.get("action") == "decline":
            try:
                services.partnership_decline(partnership_id=partnership.pk, by=request.user)
            except ValidationError as exc:
                messages.error(request, error_text(exc))
                return redirect("partners:partnership_join")
            PARTNERSHIP_LINK.clear(request)
            return render(
                request, "partners/link_declined.html", {"organization": partnership.provider}
            )
        kwargs = {}
        if request.user.is_authenticated:
            form = PartnershipAcceptForm(request.POST, user=request.user, partnership=partnership)
            if not form.is_valid():
                return self.render_page(accept_form=form, status=400)
            if form.cleaned_data["organization"] == NEW_ORGANIZATION:
                kwargs["new_reseller_name"] = form.cleaned_data["organization_name"]
            else:
                kwargs["reseller"] = form.cleaned_data["reseller"]
        else:
            if partnership.reseller_id:
                return redirect(_login_url_back_to(request.path))
            form = ResellerSignUpForm(request.POST)
            if not form.is_valid():
                return self.render_page(signup_form=form, status=400)
            # The same answer whether or not the address has an account: the account (and
            # the acceptance) wait for the link in the email (apps/accounts/signups.py).
            signup_request(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                password=form.cleaned_data["password1"],
                purpose=RESELLER_SIGNUP,
                payload={
                    "link": partnership.token_hash,
                    "organization_name": form.cleaned_data["organization_name"],
                },
                return_path=request.path,
            )
            return signup_sent(request)
        try:
            accepted = services.partnership_accept(
                partnership_id=partnership.pk, by=request.user, **kwargs
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("partners:partnership_join")
        PARTNERSHIP_LINK.clear(request)
        return partnership_accepted(request, accepted)


RESELLER_SIGNUP = "partners.reseller"


def complete_reseller_signup(request, user, payload: dict):
    """A confirmed reseller sign-up: accept the partnership for a new reseller organization,
    as the new (signed-in) user, through the same service as the page; the link must still
    be the newest and pending."""
    partnership = selectors.partnership_for_token_hash(payload.get("link", ""))
    problem = partnership_invitation_problem(partnership)
    if problem:
        return render_link_problem(request, problem)
    try:
        accepted = services.partnership_accept(
            partnership_id=partnership.pk,
            by=user,
            new_reseller_name=payload.get("organization_name", ""),
        )
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("dashboard")
    PARTNERSHIP_LINK.clear(request)
    return partnership_accepted(request, accepted)


def partnership_accepted(request, accepted):
    """The page after a reseller partnership was accepted (from the page or a sign-up)."""
    messages.success(
        request,
        _("%(reseller)s is now a reseller of %(provider)s.")
        % {"reseller": accepted.reseller.name, "provider": accepted.provider.name},
    )
    if not accepted.reseller.is_active:
        messages.info(
            request,
            _("The operator still has to approve %(name)s before it can forward invitations.")
            % {"name": accepted.reseller.name},
        )
    return redirect("partners:providers", partner_id=accepted.reseller.public_id)
