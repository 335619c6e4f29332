"""The one way into customer-organization pages: members only, everyone else gets 404."""

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
    """Resolve `self.customer` from the URL (`customer_id`, its public ID)."""

    def dispatch(self, request, *args, **kwargs):
        self.customer_membership = get_customer_membership_or_404(
            request.user, kwargs["customer_id"]
        )
        self.customer = self.customer_membership.customer
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customer"] = self.customer
        return context
