"""The one way into customer-organization pages: members only, everyone else gets 404."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import CustomerMembership


def get_customer_membership_or_404(user, customer_public_id: str) -> CustomerMembership:
    if not user.is_authenticated:
        raise Http404
    try:
        return CustomerMembership.objects.select_related("customer").get(
            user=user, customer__public_id=customer_public_id
        )
    except CustomerMembership.DoesNotExist:
        raise Http404 from None


class CustomerMixin:
    """Resolve `self.customer` from the URL (`customer_id`, its public ID).

    Outsiders get 404. A view that changes anything sets `requires_customer_admin = True`:
    Readers get 403 for every method, so a hand-made POST fares no better than the form.
    """

    requires_customer_admin = False

    def dispatch(self, request, *args, **kwargs):
        self.customer_membership = get_customer_membership_or_404(
            request.user, kwargs["customer_id"]
        )
        self.customer = self.customer_membership.customer
        if self.requires_customer_admin and not self.customer_membership.is_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        context["customer_membership"] = self.customer_membership
        return context
