"""Portal pages of the API: a Global admin's API keys and webhook endpoints (with the delivery
log and resend). Same PartnerMixin as every partner page (outsiders 404, other roles 403)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView

from apps.core.forms import add_service_errors, error_text
from apps.core.pagination import paginate
from apps.partners.mixins import PartnerMixin
from apps.partners.views.common import PostOnlyPartnerView

from . import services
from .forms import ApiKeyForm, WebhookEndpointForm
from .models import ApiKey, WebhookDelivery, WebhookEndpoint


class ApiKeysView(PartnerMixin, FormView):
    """The organization's keys and the form for a new one; the new key is shown once."""

    permission = "api.manage"
    template_name = "api/keys.html"
    form_class = ApiKeyForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["keys_page"] = paginate(
            self.request,
            ApiKey.objects.filter(partner=self.partner).select_related("created_by"),
        )
        return context

    def form_valid(self, form):
        try:
            key, secret = services.api_key_create(
                partner=self.partner,
                name=form.cleaned_data["name"],
                role=form.cleaned_data["role"],
                expires_on=form.cleaned_data["expires_on"],
                by=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        # Rendered, not redirected: the secret never goes into a URL, a session or a log
        context = self.get_context_data(form=ApiKeyForm(), new_key=key, new_secret=secret)
        return render(self.request, self.template_name, context)


class ApiKeyRevokeView(PostOnlyPartnerView):
    permission = "api.manage"

    def post(self, request, *args, **kwargs):
        key = get_object_or_404(ApiKey, pk=kwargs["key_id"], partner=self.partner)
        try:
            services.api_key_revoke(key=key, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The key %(prefix)s is revoked.") % {"prefix": key.prefix})
        return self.back()

    def get_success_url(self):
        return reverse("automation:keys", kwargs={"partner_id": self.partner.public_id})


class WebhooksView(PartnerMixin, FormView):
    permission = "api.manage"
    template_name = "api/webhooks.html"
    form_class = WebhookEndpointForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["endpoints"] = WebhookEndpoint.objects.filter(partner=self.partner)
        return context

    def form_valid(self, form):
        try:
            endpoint = services.webhook_endpoint_create(
                partner=self.partner,
                url=form.cleaned_data["url"],
                description=form.cleaned_data["description"],
                event_types=form.cleaned_data["event_types"],
                by=self.request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Webhook endpoint added."))
        return redirect(
            "automation:webhook", partner_id=self.partner.public_id, endpoint_id=endpoint.pk
        )


class WebhookDetailView(PartnerMixin, TemplateView):
    """One endpoint: its signing secret and its delivery log (status, response time)."""

    permission = "api.manage"
    template_name = "api/webhook_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        endpoint = get_object_or_404(
            WebhookEndpoint, pk=self.kwargs["endpoint_id"], partner=self.partner
        )
        context["endpoint"] = endpoint
        context["deliveries_page"] = paginate(
            self.request, endpoint.deliveries.order_by("-created_at", "-pk")
        )
        return context


class WebhookRemoveView(PostOnlyPartnerView):
    permission = "api.manage"

    def post(self, request, *args, **kwargs):
        endpoint = get_object_or_404(
            WebhookEndpoint, pk=kwargs["endpoint_id"], partner=self.partner
        )
        try:
            services.webhook_endpoint_remove(endpoint=endpoint, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Webhook endpoint removed."))
        return self.back()

    def get_success_url(self):
        return reverse("automation:webhooks", kwargs={"partner_id": self.partner.public_id})


class WebhookResendView(PostOnlyPartnerView):
    permission = "api.manage"

    def post(self, request, *args, **kwargs):
        delivery = get_object_or_404(
            WebhookDelivery.objects.select_related("endpoint__partner"),
            pk=kwargs["delivery_id"],
            endpoint_id=kwargs["endpoint_id"],
            endpoint__partner=self.partner,
        )
        try:
            services.webhook_delivery_resend(delivery=delivery, by=request.user)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("The delivery is queued again."))
        return self.back()

    def get_success_url(self):
        return reverse(
            "automation:webhook",
            kwargs={
                "partner_id": self.partner.public_id,
                "endpoint_id": self.kwargs["endpoint_id"],
            },
        )
