"""The organization's own pages: its start page and its profile."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from .. import services
from ..forms import PartnerMFAForm, PartnerProfileForm
from ..home import home_for
from ..mixins import PartnerMixin


class PartnerHomeView(PartnerMixin, TemplateView):
    """The organization's start page: the main task first, then pending work and counts, by
    kind and role (the apps above fill it through apps.partners.home)."""

    permission = "organization.view"
    template_name = "partners/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["home"] = home_for(self.membership)
        return context


class ProfileView(PartnerMixin, TemplateView):
    permission = "organization.view"
    template_name = "partners/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = self.membership.has_perm("organization.edit")
        if context["can_edit"]:
            context["mfa_form"] = PartnerMFAForm(initial={"require_mfa": self.partner.require_mfa})
        return context


class ProfileMFAView(PartnerMixin, FormView):
    """A Global admin turns the team's two-step verification requirement on or off."""

    permission = "organization.edit"
    template_name = "partners/profile.html"
    form_class = PartnerMFAForm
    http_method_names = ["post"]

    def form_valid(self, form):
        required = form.cleaned_data["require_mfa"]
        try:
            services.partner_set_mfa_required(
                partner=self.partner,
                by=self.request.user,
                acting_partner=self.partner,
                required=required,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(self.request, message)
        else:
            if required:
                messages.success(self.request, _("Two-step verification is now required."))
            else:
                messages.success(self.request, _("Two-step verification is no longer required."))
        return redirect("partners:profile", partner_id=self.partner.public_id)

    def form_invalid(self, form):
        return redirect("partners:profile", partner_id=self.partner.public_id)


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
