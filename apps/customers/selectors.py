from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.organizations import OrganizationLink

from .models import CustomerMembership


def customer_organization_links(user) -> list[OrganizationLink]:
    memberships = (
        CustomerMembership.objects.filter(user=user)
        .select_related("customer")
        .order_by("customer__name")
    )
    return [
        OrganizationLink(
            kind_label=_("Customer"),
            name=m.customer.name,
            url=reverse("customers:home", kwargs={"customer_id": m.customer.public_id}),
            detail=m.customer.tenant_domain,
        )
        for m in memberships
    ]
