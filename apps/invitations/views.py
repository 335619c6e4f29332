"""Partner pages for customer invitations: list, create (providers), detail with sharing,
send / forward, resend, revoke. Every page goes through PartnerMixin and the selectors."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from apps.core.forms import add_service_errors
from apps.core.pagination import BoundedPaginationMixin, paginate
from apps.partners.mixins import PartnerMixin

from .emails import default_message
from .forms import InvitationFilterForm, InvitationForm, SendForm
from .models import Delivery
from .selectors import (
    acceptance_list,
    delivery_get,
    delivery_list,
    invitation_funnel,
    invitation_get,
    invitation_list,
    with_accepted_customers,
)
from .services import delivery_resend, delivery_send, invitation_create, invitation_revoke
from .tokens import invitation_url


def detail_url(partner, invitation) -> str:
    return reverse(
        "invitations:detail",
        kwargs={"partner_id": partner.public_id, "invitation_id": invitation.public_id},
    )


class InvitationListView(PartnerMixin, BoundedPaginationMixin, ListView):
    """A provider's issued invitations; a reseller's invitations from its active providers."""

    permission = "invitations.view"
    template_name = "invitations/list.html"
    context_object_name = "invitations"

    def get_paginate_by(self, queryset):
        return settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        self.filter_form = InvitationFilterForm(self.request.GET or None, partner=self.partner)
        self.active_filters = self.filter_form.filters()
        return with_accepted_customers(
            invitation_list(partner=self.partner, **self.active_filters), partner=self.partner
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            filtered=any(self.active_filters.values()),
            query_string=query.urlencode(),
            can_bulk=self.partner.is_provider and self.membership.has_perm("invitations.manage"),
            can_copy=self.membership.has_perm("invitations.send"),
        )
        return context


class InvitationCreateView(PartnerMixin, FormView):
    """Providers only: PartnerMixin refuses resellers (and helpdesk agents) with 403."""

    permission = "invitations.create"
    template_name = "invitations/create.html"
    form_class = InvitationForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["provider"] = self.partner
        return kwargs

    def form_valid(self, form):
        try:
            invitation = invitation_create(
                provider=self.partner, by=self.request.user, **form.service_arguments()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("Invitation %(id)s is ready. Copy the link or email it below.")
            % {"id": invitation.public_id},
        )
        return redirect(detail_url(self.partner, invitation))


class InvitationDetailView(PartnerMixin, TemplateView):
    """What the invitation asks, the link to share, the sending form and the funnel."""

    permission = "invitations.view"
    template_name = "invitations/detail.html"
    send_form = None

    def get_invitation(self):
        if not hasattr(self, "invitation"):
            self.invitation = invitation_get(
                partner=self.partner, public_id=self.kwargs["invitation_id"]
            )
        return self.invitation

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitation = self.get_invitation()
        can_send = self.membership.has_perm("invitations.send") and invitation.is_usable
        deliveries = paginate(
            self.request, delivery_list(partner=self.partner, invitation=invitation), "page"
        )
        acceptances = paginate(
            self.request, acceptance_list(partner=self.partner, invitation=invitation), "apage"
        )
        context.update(
            invitation=invitation,
            services=list(invitation.services.all()),
            is_provider_view=invitation.provider_id == self.partner.pk,
            can_send=can_send,
            can_revoke=self.membership.has_perm("invitations.manage")
            and invitation.status == invitation.Status.ACTIVE,
            deliveries=deliveries,
            acceptances=acceptances,
            funnel=invitation_funnel(partner=self.partner, invitation=invitation),
        )
        if can_send:
            link = invitation_url(invitation)
            message = default_message(
                invitation=invitation,
                sender_partner=self.partner,
                sender_name=self.request.user.get_full_name(),
            )
            initial = {"message": message}
            if invitation.is_personal:
                initial["emails"] = invitation.recipient_email
            context.update(
                link=link,
                ready_email=f"{message}\n\n{link}",
                send_form=self.send_form or SendForm(initial=initial),
            )
        return context


class InvitationSendView(InvitationDetailView):
    """POST: email the invitation (provider: deliver; reseller: forward)."""

    permission = "invitations.send"
    http_method_names = ["post", "options"]

    def post(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        form = SendForm(request.POST)
        if form.is_valid():
            try:
                deliveries = delivery_send(
                    invitation=invitation,
                    partner=self.partner,
                    by=request.user,
                    emails=form.cleaned_data["emails"],
                    message=form.cleaned_data["message"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                _report_sending(request, [d.pk for d in deliveries])
                return redirect(detail_url(self.partner, invitation))
        self.send_form = form
        if not invitation.is_usable:
            messages.error(request, form.non_field_errors().as_text() or _("Nothing was sent."))
            return redirect(detail_url(self.partner, invitation))
        return self.render_to_response(self.get_context_data(), status=400)


def _report_sending(request, delivery_ids: list[int]) -> None:
    """The emails leave after commit, during this request: say which got through."""
    rows = (
        Delivery.objects.filter(pk__in=delivery_ids)
        .order_by("pk")
        .values_list("email", "sent_at", "send_attempts")
    )
    sent, failed, queued = [], [], []
    for email, sent_at, attempts in rows:
        (sent if sent_at else failed if attempts else queued).append(email)
    if sent:
        messages.success(request, _("Sent to %(emails)s.") % {"emails": ", ".join(sent)})
    if queued:
        messages.info(
            request, _("Queued for sending to %(emails)s.") % {"emails": ", ".join(queued)}
        )
    if failed:
        messages.warning(
            request,
            _(
                "Not sent yet to %(emails)s: the mail server did not accept it. The delivery "
                "is saved; use “Retry” in the list below."
            )
            % {"emails": ", ".join(failed)},
        )


class InvitationRevokeView(PartnerMixin, View):
    """POST: revoke at once; every link of the invitation stops working."""

    permission = "invitations.manage"

    def post(self, request, *args, **kwargs):
        invitation = invitation_get(partner=self.partner, public_id=kwargs["invitation_id"])
        try:
            invitation_revoke(invitation=invitation, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("Invitation %(id)s is revoked: its links no longer work.")
                % {"id": invitation.public_id},
            )
        return redirect(detail_url(self.partner, invitation))


class DeliveryResendView(PartnerMixin, View):
    """POST: send one delivery's email again (same link), e.g. after a failure."""

    permission = "invitations.send"

    def post(self, request, *args, **kwargs):
        invitation = invitation_get(partner=self.partner, public_id=kwargs["invitation_id"])
        delivery = delivery_get(
            partner=self.partner, invitation=invitation, delivery_id=kwargs["delivery_id"]
        )
        try:
            delivery_resend(delivery=delivery, partner=self.partner, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            _report_sending(request, [delivery.pk])
        return redirect(detail_url(self.partner, invitation))
