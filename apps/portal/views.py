"""Activity pages: each organization reads its own audit events (and exports them as CSV)."""

from django.views.generic import TemplateView, View

from apps.core.pagination import keyset_page
from apps.customers.mixins import CustomerMixin
from apps.partners.mixins import PartnerMixin

from .exports import organization_export_response
from .forms import ActivityFilterForm
from .selectors import (
    ACTIVITY_ORDER,
    actor_label,
    customer_activity,
    data_items,
    partner_activity,
    service_names,
    visible_event,
)


class ActivityMixin:
    """Filters from the query string, a page of events (never counted, no cap on how far back;
    read from a cursor, `?after=`, so a page a year back costs what the newest does), and each
    event as the viewing organization may see it."""

    def get_events(self, filters):
        raise NotImplementedError

    def viewer(self) -> dict:
        raise NotImplementedError

    def filter_form(self) -> ActivityFilterForm:
        return ActivityFilterForm(self.request.GET or None, audience=self.audience)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filter_form()
        events = self.get_events(form.filters())
        page = keyset_page(self.request, events, ACTIVITY_ORDER)
        viewer = self.viewer()
        services = service_names()
        context.update(
            form=form,
            page=page,
            rows=[self.row(event, viewer, services) for event in page.object_list],
            is_filtered=form.is_bound and form.is_valid() and any(form.cleaned_data.values()),
        )
        return context

    @staticmethod
    def row(event, viewer: dict, services: dict[str, str]) -> dict:
        visible = visible_event(event, **viewer)
        return {
            "event": event,
            "by": actor_label(event, **viewer),
            "subject": visible.subject,
            "details": data_items(visible.data, services),
        }


class ActivityExportMixin:
    def get(self, request, *args, **kwargs):
        form = ActivityFilterForm(request.GET or None, audience=self.audience)
        return organization_export_response(
            self.get_events(form.filters()), prefix=self.export_prefix, **self.viewer()
        )


class PartnerActivityBase(PartnerMixin):
    permission = "activity.view"
    audience = "partner"

    def get_events(self, filters):
        return partner_activity(partner=self.partner, filters=filters)

    def viewer(self) -> dict:
        return {"viewer_partner": self.partner}

    @property
    def export_prefix(self) -> str:
        return f"activity-{self.partner.public_id}"


class CustomerActivityBase(CustomerMixin):
    audience = "customer"

    def get_events(self, filters):
        return customer_activity(customer=self.customer, filters=filters)

    def viewer(self) -> dict:
        return {"viewer_customer": self.customer}

    @property
    def export_prefix(self) -> str:
        return f"activity-{self.customer.public_id}"


class PartnerActivityView(PartnerActivityBase, ActivityMixin, TemplateView):
    """What happened in and around a partner organization, newest first."""

    template_name = "portal/partner_activity.html"


class PartnerActivityExportView(PartnerActivityBase, ActivityExportMixin, View):
    """The partner's activity with the page's filters, as a streamed CSV."""


class CustomerActivityView(CustomerActivityBase, ActivityMixin, TemplateView):
    """What happened in and around a customer organization, newest first."""

    template_name = "portal/customer_activity.html"


class CustomerActivityExportView(CustomerActivityBase, ActivityExportMixin, View):
    """The customer's activity with the page's filters, as a streamed CSV."""
