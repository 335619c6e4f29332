"""Partner pages for customer invitations: list, create (providers), detail with sharing,
send / forward, resend, revoke. Every page goes through PartnerMixin and the selectors."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from apps.core.confirm import ConfirmActionMixin
from apps.core.forms import add_service_errors
from apps.core.pagination import BoundedPaginationMixin, keyset_page, paginate
from apps.partners.mixins import PartnerMixin
from apps.partners.models import ResellerPartnership
from apps.partners.selectors import provider_partnerships_for_reseller

from .emails import default_message
from .forms import InvitationFilterForm, InvitationForm, LinkRequestForm, SendForm
from .models import Delivery
from .selectors import (
    INVITATION_LIST_ORDER,
    acceptance_list,
    delivery_get,
    delivery_list,
    invitation_funnel,
    invitation_get,
    invitation_list,
    link_requests_for_provider,
    reseller_choices_for,
    with_accepted_customers,
)
from .services import (
    delivery_resend,
    delivery_send,
    invitation_create,
    invitation_revoke,
    link_request_create,
    link_request_handle,
)
from .tokens import invitation_url


def detail_url(partner, invitation) -> str:
    return reverse(
        "invitations:detail",
        kwargs={"partner_id": partner.public_id, "invitation_id": invitation.public_id},
    )


class InvitationListView(PartnerMixin, TemplateView):
    """A provider's issued invitations; a reseller's invitations from its active providers.
    Newest first, a page at a time from a cursor (`?after=`): constant cost at any depth."""

    permission = "invitations.view"
    template_name = "invitations/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filter_form = InvitationFilterForm(self.request.GET or None, partner=self.partner)
        active_filters = filter_form.filters()
        invitations = with_accepted_customers(
            invitation_list(partner=self.partner, **active_filters), partner=self.partner
        )
        page = keyset_page(self.request, invitations, INVITATION_LIST_ORDER)
        context.update(
            invitations=page.object_list,
            page_obj=page,
            filter_form=filter_form,
            filtered=any(active_filters.values()),
            can_bulk=self.partner.is_provider and self.membership.has_perm("invitations.manage"),
            can_copy=self.membership.has_perm("invitations.send"),
            # the bulk form brings the user back to this page, filters and position kept
            query_string=self.request.GET.urlencode(),
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

    def get_initial(self):
        """`?reseller=<partner ID>` (from a reseller's link request) picks that reseller; an
        unknown or foreign ID is ignored."""
        initial = super().get_initial()
        wanted = self.request.GET.get("reseller", "")
        if wanted:
            reseller = reseller_choices_for(self.partner).filter(public_id=wanted[:16]).first()
            if reseller is not None:
                initial["reseller"] = reseller
        return initial

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


class InvitationRevokeView(ConfirmActionMixin, PartnerMixin, TemplateView):
    """GET: what revoking does (every link stops, accepted customers stay); a confirmed POST
    revokes at once. An unconfirmed POST only shows the confirmation again."""

    permission = "invitations.manage"
    template_name = "invitations/revoke_confirm.html"

    def get_invitation(self):
        if not hasattr(self, "invitation"):
            self.invitation = invitation_get(
                partner=self.partner, public_id=self.kwargs["invitation_id"]
            )
        return self.invitation

    def get(self, request, *args, **kwargs):
        invitation = self.get_invitation()
        if invitation.status == invitation.Status.REVOKED:
            messages.info(request, _("This invitation is already revoked."))
            return redirect(detail_url(self.partner, invitation))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        invitation = self.get_invitation()
        context.update(
            invitation=invitation,
            delivery_count=invitation.deliveries.count(),
            cancel_url=detail_url(self.partner, invitation),
        )
        return context

    def act(self):
        invitation = self.get_invitation()
        try:
            invitation_revoke(invitation=invitation, by=self.request.user)
        except ValidationError as exc:
            messages.error(self.request, " ".join(exc.messages))
        else:
            messages.success(
                self.request,
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


# ------------------------------------------------------------------------------
# Link requests: reseller asks, provider handles (issue 16)
# ------------------------------------------------------------------------------
class LinkRequestCreateView(PartnerMixin, FormView):
    """A reseller asks one of its providers for an invitation link, seeing who it asks."""

    permission = "invitations.send"
    template_name = "invitations/link_request.html"
    form_class = LinkRequestForm

    def get_partnership(self) -> ResellerPartnership:
        if not hasattr(self, "partnership"):
            self.partnership = get_object_or_404(
                provider_partnerships_for_reseller(self.partner), pk=self.kwargs["partnership_id"]
            )
        return self.partnership

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["partnership"] = self.get_partnership()
        context["provider"] = self.partnership.provider
        context["cancel_url"] = reverse(
            "partners:providers", kwargs={"partner_id": self.partner.public_id}
        )
        return context

    def form_valid(self, form):
        try:
            link_request_create(
                partnership=self.get_partnership(),
                by=self.request.user,
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _(
                "Your request was sent to %(provider)s. The invitation will appear under "
                "Invitations when they issue it for you."
            )
            % {"provider": self.partnership.provider.name},
        )
        return redirect("partners:providers", partner_id=self.partner.public_id)


class LinkRequestListView(PartnerMixin, BoundedPaginationMixin, ListView):
    """A provider's link requests from its resellers: open ones first."""

    permission = "invitations.create"
    template_name = "invitations/link_requests.html"
    context_object_name = "link_requests"

    def get_paginate_by(self, queryset):
        return settings.PORTAL_PAGE_SIZE

    def get_queryset(self):
        return link_requests_for_provider(self.partner)


class LinkRequestHandleView(PartnerMixin, View):
    """POST: mark a request handled (it leaves the pending work on the home page)."""

    permission = "invitations.create"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        link_request = get_object_or_404(
            link_requests_for_provider(self.partner), pk=kwargs["request_id"]
        )
        try:
            link_request_handle(link_request=link_request, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The request from %(reseller)s is marked handled.")
                % {"reseller": link_request.reseller.name},
            )
        return redirect("invitations:link_requests", partner_id=self.partner.public_id)
