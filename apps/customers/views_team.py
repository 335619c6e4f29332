"""Customer organization pages for the tenant's proof and the team: verification, members and
invitations, and the public landing pages of customer-team links (`/ct/<token>/`)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import FormView, TemplateView

from apps.core.forms import add_service_errors, error_text
from apps.core.links import LinkProblem, render_link_problem
from apps.core.pagination import paginate
from apps.core.ratelimit import rate_limit
from apps.partners.forms import TeamSignUpForm

from .forms import CustomerTeamInviteForm
from .mixins import CustomerMixin
from .models import CustomerMembership, CustomerTeamInvitation
from .team import (
    CUSTOMER_TEAM_LINK,
    NewAccount,
    customer_member_remove,
    customer_team_invitation_accept,
    customer_team_invitation_for_hash,
    customer_team_invitation_for_token,
    customer_team_invitation_problem,
    customer_team_invitation_revoke,
    customer_team_invite,
)
from .verification import customer_recheck_dns, customer_verify_dns

ACCOUNT_BACKEND = "apps.accounts.backends.EmailBackend"


def _login_url_back_to(path: str) -> str:
    return f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': path})}"


# ------------------------------------------------------------------------------
# Verification
# ------------------------------------------------------------------------------
class CustomerVerifyView(CustomerMixin, View):
    """POST: look the TXT record up now. GET shows nothing new (the overview has the
    instructions), so it goes back there."""

    requires_customer_admin = True
    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect("customers:home", customer_id=self.customer.public_id)

    def post(self, request, *args, **kwargs):
        if self.customer.is_verified:
            return self.recheck(request)
        try:
            customer_verify_dns(customer=self.customer, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("%(domain)s is verified. Your imported subscriptions are shown from now on.")
                % {"domain": self.customer.tenant_domain},
            )
        return redirect("customers:home", customer_id=self.customer.public_id)

    def recheck(self, request):
        """A verified customer checks its record again: the answer is recorded, the
        verification stays."""
        domain = self.customer.tenant_domain
        try:
            found = customer_recheck_dns(customer=self.customer, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if found:
                messages.success(
                    request, _("The TXT record is still on %(domain)s.") % {"domain": domain}
                )
            else:
                messages.warning(
                    request,
                    _(
                        "No TXT record with the expected value is on %(domain)s any more. The "
                        "tenant stays verified; publish the record again so the proof can be "
                        "checked."
                    )
                    % {"domain": domain},
                )
        return redirect("customers:home", customer_id=self.customer.public_id)


# ------------------------------------------------------------------------------
# Team
# ------------------------------------------------------------------------------
class CustomerTeamView(CustomerMixin, TemplateView):
    """Members and open invitations. Readers see the team; only Customer admins change it."""

    template_name = "customers/team.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = (
            CustomerMembership.objects.filter(customer=self.customer)
            .select_related("user")
            .order_by("user__email", "pk")
        )
        context["members_page"] = paginate(self.request, members, "page")
        if self.customer_membership.is_admin:
            context["invitations_page"] = paginate(
                self.request,
                CustomerTeamInvitation.objects.open()
                .filter(customer=self.customer)
                .select_related("invited_by")
                .order_by("-created_at", "-pk"),
                "invitations_page",
            )
        return context


class CustomerTeamInviteView(CustomerMixin, FormView):
    requires_customer_admin = True
    form_class = CustomerTeamInviteForm
    template_name = "customers/team_invite.html"

    def form_valid(self, form):
        try:
            invitation = customer_team_invite(
                customer=self.customer,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("An invitation was sent to %(email)s.") % {"email": invitation.email},
        )
        return redirect("customers:team", customer_id=self.customer.public_id)


class CustomerTeamInvitationRevokeView(CustomerMixin, View):
    requires_customer_admin = True
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        invitation = CustomerTeamInvitation.objects.filter(
            customer=self.customer, pk=kwargs["invitation_id"]
        ).first()
        if invitation is None:
            raise Http404
        try:
            customer_team_invitation_revoke(invitation=invitation, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(
                request,
                _("The invitation to %(email)s was revoked.") % {"email": invitation.email},
            )
        return redirect("customers:team", customer_id=self.customer.public_id)


class CustomerMemberRemoveView(CustomerMixin, TemplateView):
    """GET asks for confirmation; POST removes. The last Customer admin stays."""

    requires_customer_admin = True
    template_name = "customers/member_remove.html"

    def get_member(self) -> CustomerMembership:
        member = (
            CustomerMembership.objects.select_related("user")
            .filter(customer=self.customer, pk=self.kwargs["membership_id"])
            .first()
        )
        if member is None:
            raise Http404
        return member

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.get_member()
        return context

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        try:
            customer_member_remove(customer=self.customer, membership_id=member.pk, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("customers:team", customer_id=self.customer.public_id)
        messages.success(
            request,
            _("%(email)s was removed from the team.") % {"email": member.user.email},
        )
        if member.user_id == request.user.pk:
            return redirect("dashboard")
        return redirect("customers:team", customer_id=self.customer.public_id)


# ------------------------------------------------------------------------------
# Customer-team links
# ------------------------------------------------------------------------------
public = method_decorator([login_not_required, never_cache], name="dispatch")


@public
@method_decorator(rate_limit("link_open"), name="dispatch")
class CustomerTeamLinkView(View):
    """`/ct/<token>/`: move the token's hash into the session and redirect without it."""

    http_method_names = ["get"]

    def get(self, request, token):
        invitation = customer_team_invitation_for_token(token)
        if invitation is None:
            return render_link_problem(request, LinkProblem.UNKNOWN)
        return CUSTOMER_TEAM_LINK.put_and_redirect(
            request, invitation.token_hash, reverse("customers:team_join")
        )


@public
@method_decorator(rate_limit("link_page"), name="dispatch")
@method_decorator(rate_limit("signup", methods=("POST",)), name="dispatch")
class CustomerTeamJoinView(View):
    """Landing page of a customer-team invitation: sign in or sign up, then join."""

    template_name = "customers/team_join.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = customer_team_invitation_for_hash(CUSTOMER_TEAM_LINK.get(request))
        problem = customer_team_invitation_problem(self.invitation)
        if problem:
            return render_link_problem(request, problem)
        return super().dispatch(request, *args, **kwargs)

    def _account_exists(self) -> bool:
        return get_user_model().objects.filter(email__iexact=self.invitation.email).exists()

    def render_page(self, signup_form=None, status=200):
        invitation, user = self.invitation, self.request.user
        account_exists = not user.is_authenticated and self._account_exists()
        if signup_form is None and not user.is_authenticated and not account_exists:
            signup_form = TeamSignUpForm(invited_email=invitation.email)
        return render(
            self.request,
            self.template_name,
            {
                "invitation": invitation,
                "customer": invitation.customer,
                "email_matches": user.is_authenticated
                and user.email.lower() == invitation.email.lower(),
                "already_member": user.is_authenticated
                and CustomerMembership.objects.filter(
                    customer=invitation.customer, user=user
                ).exists(),
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
        new_account = None
        if not request.user.is_authenticated:
            if self._account_exists():
                return redirect(
                    f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
                )
            form = TeamSignUpForm(request.POST, invited_email=invitation.email)
            if not form.is_valid():
                return self.render_page(signup_form=form, status=400)
            new_account = NewAccount(
                display_name=form.cleaned_data["display_name"],
                email=invitation.email,
                password=form.cleaned_data["password1"],
            )
        try:
            membership = customer_team_invitation_accept(
                invitation_id=invitation.pk, by=request.user, new_account=new_account
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("customers:team_join")
        if new_account is not None:
            login(request, membership.user, backend=ACCOUNT_BACKEND)
        CUSTOMER_TEAM_LINK.clear(request)
        messages.success(
            request,
            _("You joined %(name)s as %(role)s.")
            % {"name": membership.customer.name, "role": membership.get_role_display()},
        )
        return redirect("customers:home", customer_id=membership.customer.public_id)
