"""Partnership pages: a provider's resellers (invite, suspend, reactivate, end) and a
reseller's providers (end)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from apps.core.forms import error_text
from apps.core.pagination import BoundedPaginationMixin

from .. import selectors, services
from ..forms import EndPartnershipForm, ResellerInviteForm
from ..mixins import PartnerMixin
from ..models import ResellerPartnership
from .common import PostOnlyPartnerView, SendLinkFormView


# ------------------------------------------------------------------------------
# Resellers (provider side)
# ------------------------------------------------------------------------------
class ResellersView(PartnerMixin, BoundedPaginationMixin, ListView):
    permission = "resellers.view"
    template_name = "partners/resellers.html"
    context_object_name = "partnerships"
    paginate_by = settings.PORTAL_PAGE_SIZE

    def get_state(self) -> str:
        state = self.request.GET.get("state", "")
        return state if state in ResellerPartnership.State.values else ""

    def get_search(self) -> str:
        return self.request.GET.get("q", "").strip()[:200]

    def get_queryset(self):
        return selectors.reseller_partnerships_for_provider(
            self.partner, state=self.get_state(), search=self.get_search()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state, search = self.get_state(), self.get_search()
        context["state"] = state
        context["q"] = search
        context["states"] = ResellerPartnership.State.choices
        context["page_query"] = urlencode({k: v for k, v in (("state", state), ("q", search)) if v})
        context["can_manage"] = self.membership.has_perm("resellers.manage")
        return context


class ResellerInviteView(SendLinkFormView):
    permission = "resellers.manage"
    template_name = "partners/reseller_invite.html"
    form_class = ResellerInviteForm

    def send_link(self, form):
        partnership = services.partnership_invite(
            provider=self.partner,
            by=self.request.user,
            email=form.cleaned_data["email"],
            reseller=form.cleaned_data["reseller_partner_id"],
            acting_partner=self.partner,
        )
        return partnership, partnership.invited_email, partnership.expires_at

    def link_sent_url(self, sent) -> str:
        return reverse(
            "partners:reseller_detail", kwargs={"partner_id": self.partner.public_id, "pk": sent.pk}
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
            messages.error(request, error_text(exc))
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
            messages.error(self.request, error_text(exc))
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
class ProvidersView(PartnerMixin, BoundedPaginationMixin, ListView):
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
