"""The customer's *Received invitations* page: every invitation the organization answered
(accepted or declined), from whom, through which reseller, when, and the relationship it led
to. Readers see it too; nothing here changes anything."""

from django.views.generic import TemplateView

from apps.core.pagination import paginate
from apps.customers.mixins import CustomerMixin

from .models import Acceptance


def customer_received_invitations(customer):
    """Answers of `customer`, newest first, with what each row shows in one query."""
    return (
        Acceptance.objects.filter(customer=customer)
        .select_related(
            "invitation__provider",
            "invitation__reseller",
            "delivery__sent_by_partner",
            "relationship",
            "user",
        )
        .order_by("-created_at", "-pk")
    )


class ReceivedInvitationsView(CustomerMixin, TemplateView):
    template_name = "invitations/received.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_obj"] = paginate(
            self.request, customer_received_invitations(self.customer), "page"
        )
        return context
