from django.urls import reverse

from apps.accounts.organizations import OrganizationLink

from .models import PartnerMembership


def partner_organization_links(user) -> list[OrganizationLink]:
    memberships = (
        PartnerMembership.objects.filter(user=user)
        .select_related("partner")
        .order_by("partner__name")
    )
    return [
        OrganizationLink(
            kind_label=str(m.partner.get_kind_display()),
            name=m.partner.name,
            url=reverse("partners:home", kwargs={"partner_id": m.partner.public_id}),
            detail=str(m.get_role_display()),
        )
        for m in memberships
    ]
