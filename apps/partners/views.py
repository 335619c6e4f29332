"""Partner-organization pages (team, resellers, providers, profile) and the public landing
pages of one-time team and partnership links. Views stay thin: PartnerMixin resolves the
organization and checks the declared permission, services do the work."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from apps.core.links import render_link_problem

from . import selectors, services
from .forms import (
    NEW_ORGANIZATION,
    EndPartnershipForm,
    MemberRoleForm,
    PartnerProfileForm,
    PartnershipAcceptForm,
    ResellerInviteForm,
    ResellerSignUpForm,
    TeamInviteForm,
    TeamSignUpForm,
)
from .links import (
    PARTNERSHIP_LINK,
    TEAM_LINK,
    LinkProblem,
    partnership_invitation_problem,
    team_invitation_problem,
)
from .mixins import PartnerMixin
from .models import PartnerMembership, ResellerPartnership, Role, TeamInvitation

ACCOUNT_BACKEND = "apps.accounts.backends.EmailBackend"


def _error_text(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


class PartnerHomeView(PartnerMixin, TemplateView):
    """The organization's start page: what it can do next, by kind and role."""

    permission = "organization.view"
    template_name = "partners/home.html"


class PostOnlyPartnerView(PartnerMixin, View):
    """A button on another page: POST does one thing and goes back; GET is 405."""

    http_method_names = ["post"]

    def back(self):
        return redirect(self.get_success_url())

    def get_success_url(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError


# ------------------------------------------------------------------------------
# Team
# ------------------------------------------------------------------------------
class TeamView(PartnerMixin, ListView):
    """Members and open invitations. Global admins change roles, remove and invite."""

    permission = "team.view"
    template_name = "partners/team.html"
    context_object_name = "members"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return selectors.team_members(self.partner)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.membership.has_perm("team.manage")
        context["can_manage"] = can_manage
        context["global_admin_count"] = selectors.global_admin_count(self.partner)
        context["role_choices"] = Role.choices
        context["invitations_page"] = Paginator(
            selectors.team_open_invitations(self.partner), settings.PORTAL_PAGE_SIZE
        ).get_page(self.request.GET.get("invitations_page"))
        return context


class TeamInviteView(PartnerMixin, FormView):
    permission = "team.manage"
    template_name = "partners/team_invite.html"
    form_class = TeamInviteForm

    def form_valid(self, form):
        try:
            invitation = services.team_invite(
                partner=self.partner,
                invited_by=self.request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                acting_partner=self.partner,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(email)s. The link works once and expires on %(date)s.")
            % {"email": invitation.email, "date": invitation.expires_at.date().isoformat()},
        )
        return redirect("partners:team", partner_id=self.partner.public_id)


class MemberMixin:
    def get_member(self) -> PartnerMembership:
        return get_object_or_404(
            PartnerMembership.objects.select_related("user", "partner"),
            pk=self.kwargs["membership_id"],
            partner=self.partner,
        )

    def get_success_url(self) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})


class MemberRoleView(MemberMixin, PostOnlyPartnerView):
    permission = "team.manage"

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the roles."))
            return self.back()
        try:
            services.membership_change_role(
                membership=member,
                role=form.cleaned_data["role"],
                by=request.user,
                acting_partner=self.partner,
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return self.back()
        messages.success(
            request,
            _("%(email)s is now %(role)s.")
            % {"email": member.user.email, "role": member.get_role_display()},
        )
        return self.back()


class MemberRemoveView(MemberMixin, PartnerMixin, TemplateView):
    """Confirm (GET), then remove (POST)."""

    permission = "team.manage"
    template_name = "partners/member_remove.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["member"] = self.get_member()
        return context

    def post(self, request, *args, **kwargs):
        member = self.get_member()
        try:
            services.membership_remove(
                membership=member, by=request.user, acting_partner=self.partner
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect(self.get_success_url())
        messages.success(
            request,
            _("%(email)s is no longer a member of %(name)s.")
            % {"email": member.user.email, "name": self.partner.name},
        )
        if member.user_id == request.user.pk:
            return redirect("dashboard")
        return redirect(self.get_success_url())


class TeamInvitationActionView(PostOnlyPartnerView):
    """Resend or revoke an open team invitation."""

    permission = "team.manage"
    action = ""

    def get_success_url(self) -> str:
        return reverse("partners:team", kwargs={"partner_id": self.partner.public_id})

    def post(self, request, *args, **kwargs):
        invitation = get_object_or_404(
            TeamInvitation, pk=kwargs["invitation_id"], partner=self.partner
        )
        service = {
            "resend": services.team_invitation_resend,
            "revoke": services.team_invitation_revoke,
        }[self.action]
        try:
            service(invitation=invitation, by=request.user, acting_partner=self.partner)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return self.back()
        if self.action == "resend":
            messages.success(
                request,
                _(
                    "Invitation sent again to %(email)s with a new link; the old link no longer "
                    "works."
                )
                % {"email": invitation.email},
            )
        else:
            messages.success(
                request,
                _("Invitation to %(email)s revoked; its link no longer works.")
                % {"email": invitation.email},
            )
        return self.back()


# ------------------------------------------------------------------------------
# Resellers (provider side)
# ------------------------------------------------------------------------------
class ResellersView(PartnerMixin, ListView):
    permission = "resellers.view"
    template_name = "partners/resellers.html"
    context_object_name = "partnerships"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_state(self) -> str:
        state = self.request.GET.get("state", "")
        return state if state in ResellerPartnership.State.values else ""

    def get_queryset(self):
        return selectors.reseller_partnerships_for_provider(self.partner, state=self.get_state())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.get_state()
        context["state"] = state
        context["states"] = ResellerPartnership.State.choices
        context["page_query"] = urlencode({"state": state}) if state else ""
        context["can_manage"] = self.membership.has_perm("resellers.manage")
        return context


class ResellerInviteView(PartnerMixin, FormView):
    permission = "resellers.manage"
    template_name = "partners/reseller_invite.html"
    form_class = ResellerInviteForm

    def form_valid(self, form):
        try:
            partnership = services.partnership_invite(
                provider=self.partner,
                invited_by=self.request.user,
                email=form.cleaned_data["email"],
                reseller=form.cleaned_data["reseller_partner_id"],
                acting_partner=self.partner,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation sent to %(email)s. The link works once and expires on %(date)s.")
            % {
                "email": partnership.invited_email,
                "date": partnership.expires_at.date().isoformat(),
            },
        )
        return redirect(
            "partners:reseller_detail", partner_id=self.partner.public_id, pk=partnership.pk
        )


class ProviderPartnershipMixin:
    """A partnership of the provider in the URL (404 for anyone else's)."""

    def get_partnership(self) -> ResellerPartnership:
        return get_object_or_404(
            selectors.reseller_partnerships_for_provider(self.partner), pk=self.kwargs["pk"]
        )

    def get_success_url(self) -> str:
        return reverse(
            "partners:reseller_detail",
            kwargs={"partner_id": self.partner.public_id, "pk": self.kwargs["pk"]},
        )


class ResellerDetailView(ProviderPartnershipMixin, PartnerMixin, DetailView):
    permission = "resellers.view"
    template_name = "partners/reseller_detail.html"
    context_object_name = "partnership"

    def get_object(self, queryset=None):
        return self.get_partnership()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.membership.has_perm("resellers.manage")
        context["end_form"] = EndPartnershipForm()
        return context


class PartnershipActionView(ProviderPartnershipMixin, PostOnlyPartnerView):
    """Provider buttons on a partnership: suspend, reactivate, resend or revoke the invitation."""

    permission = "resellers.manage"
    action = ""
    # lazy: translated when the message is shown, in the language of that request
    SERVICES = {
        "suspend": (services.partnership_suspend, gettext_lazy("The partnership is suspended.")),
        "reactivate": (
            services.partnership_reactivate,
            gettext_lazy("The partnership is active again."),
        ),
        "resend": (
            services.partnership_invitation_resend,
            gettext_lazy("Invitation sent again with a new link; the old link no longer works."),
        ),
        "revoke": (
            services.partnership_invitation_revoke,
            gettext_lazy("Invitation revoked; its link no longer works."),
        ),
    }

    def post(self, request, *args, **kwargs):
        partnership = self.get_partnership()
        service, done = self.SERVICES[self.action]
        try:
            service(partnership=partnership, by=request.user, acting_partner=self.partner)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            messages.success(request, done)
        return self.back()


class EndPartnershipFormMixin:
    """Confirm ending a partnership (optional reason); either side, the same service."""

    template_name = "partners/partnership_end.html"
    form_class = EndPartnershipForm
    other_party_field: str  # the side shown as "the other party": reseller or provider

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partnership = self.get_partnership()
        context["partnership"] = partnership
        context["other_party"] = getattr(partnership, self.other_party_field)
        context["cancel_url"] = self.get_success_url()
        return context

    def form_valid(self, form):
        try:
            services.partnership_end(
                partnership=self.get_partnership(),
                by=self.request.user,
                acting_partner=self.partner,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(self.request, _error_text(exc))
        else:
            messages.success(self.request, _("The partnership has ended."))
        return redirect(self.get_success_url())


class PartnershipEndView(EndPartnershipFormMixin, ProviderPartnershipMixin, PartnerMixin, FormView):
    """The provider ends a partnership."""

    permission = "resellers.manage"
    other_party_field = "reseller"


# ------------------------------------------------------------------------------
# Providers (reseller side)
# ------------------------------------------------------------------------------
class ProvidersView(PartnerMixin, ListView):
    permission = "providers.view"
    template_name = "partners/providers.html"
    context_object_name = "partnerships"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return selectors.provider_partnerships_for_reseller(self.partner)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = self.membership.has_perm("providers.manage")
        return context


class ProviderEndView(EndPartnershipFormMixin, PartnerMixin, FormView):
    """The reseller ends a partnership with one of its providers."""

    permission = "providers.manage"
    other_party_field = "provider"

    def get_partnership(self) -> ResellerPartnership:
        return get_object_or_404(
            selectors.provider_partnerships_for_reseller(self.partner), pk=self.kwargs["pk"]
        )

    def get_success_url(self) -> str:
        return reverse("partners:providers", kwargs={"partner_id": self.partner.public_id})


# ------------------------------------------------------------------------------
# Organization profile
# ------------------------------------------------------------------------------
class ProfileView(PartnerMixin, TemplateView):
    permission = "organization.view"
    template_name = "partners/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.membership.has_perm("organization.edit")
        return context


class ProfileEditView(PartnerMixin, FormView):
    permission = "organization.edit"
    template_name = "partners/profile_edit.html"
    form_class = PartnerProfileForm

    def get_initial(self):
        return {"name": self.partner.name, "contact_email": self.partner.contact_email}

    def form_valid(self, form):
        try:
            services.partner_update(
                partner=self.partner,
                by=self.request.user,
                acting_partner=self.partner,
                name=form.cleaned_data["name"],
                contact_email=form.cleaned_data["contact_email"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("The organization profile was saved."))
        return redirect("partners:profile", partner_id=self.partner.public_id)


# ------------------------------------------------------------------------------
# One-time links (public)
# ------------------------------------------------------------------------------
public = method_decorator([login_not_required, never_cache], name="dispatch")


@public
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
                services.team_invitation_decline(invitation_id=invitation.pk, user=request.user)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
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
                invitation_id=invitation.pk, user=request.user, new_account=new_account
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
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
class PartnershipJoinView(View):
    """The landing page of a provider's invitation to become its reseller: sign in (and pick
    a reseller organization you administer) or sign up with a new one; accept or decline."""

    template_name = "partners/partnership_join.html"

    def dispatch(self, request, *args, **kwargs):
        self.partnership = selectors.partnership_for_token_hash(
            PARTNERSHIP_LINK.get(request)
        )
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
                services.partnership_decline(partnership_id=partnership.pk, user=request.user)
            except ValidationError as exc:
                messages.error(request, _error_text(exc))
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
            kwargs["new_reseller_name"] = form.cleaned_data["organization_name"]
            kwargs["new_account"] = services.NewAccount(
                display_name=form.cleaned_data["display_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
            )
        try:
            accepted = services.partnership_accept(
                partnership_id=partnership.pk, user=request.user, **kwargs
            )
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
            return redirect("partners:partnership_join")
        if "new_account" in kwargs:
            login(request, accepted.responded_by, backend=ACCOUNT_BACKEND)
        PARTNERSHIP_LINK.clear(request)
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
