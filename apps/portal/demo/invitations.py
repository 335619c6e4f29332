"""Demo invitations from Contoso: one for Fabrikam asking delegated admin for Office 365 and
Azure (emailed to Northwind's admin), and Contoso's own open link. Safe to run again."""

from apps.accounts.models import User
from apps.customers.models import Service
from apps.invitations.models import Invitation
from apps.invitations.services import delivery_send, invitation_create
from apps.partners.models import Role

FABRIKAM_MESSAGE = (
    "Fabrikam Solutions manages Office 365 and Azure for you through Contoso Distribution. "
    "Accept to let us provision and support your services."
)
OWN_LINK_MESSAGE = "Work with Contoso Distribution directly as your CSP partner."


def seed(*, partners, customer, stdout) -> None:
    contoso, fabrikam = partners["contoso"], partners["fabrikam"]
    if Invitation.objects.filter(provider=contoso).exists():
        stdout.write("Invitations: demo invitations already exist.")
        return
    admin = (
        User.objects.filter(
            partner_memberships__partner=contoso,
            partner_memberships__role=Role.GLOBAL_ADMIN,
        )
        .order_by("pk")
        .first()
    )
    if admin is None:
        stdout.write("Invitations: no Contoso Global admin, skipped.")
        return
    services = list(Service.objects.filter(code__in=["office365", "azure"], is_active=True))
    for_fabrikam = invitation_create(
        provider=contoso,
        by=admin,
        reseller=fabrikam,
        kind=Invitation.Kind.OPEN,
        requests_dap=True,
        services=services,
        dap_provisioning=True,
        dap_support=True,
        message=FABRIKAM_MESSAGE,
    )
    invitation_create(
        provider=contoso,
        by=admin,
        kind=Invitation.Kind.OPEN,
        max_uses=50,
        message=OWN_LINK_MESSAGE,
    )
    customer_admin = customer.memberships.select_related("user").order_by("pk").first()
    recipient = customer_admin.user.email if customer_admin else "admin@northwind.test"
    delivery_send(invitation=for_fabrikam, partner=contoso, by=admin, emails=[recipient])
    stdout.write(
        f"Invitations: {for_fabrikam.public_id} for Fabrikam (sent to {recipient}) and an own "
        "open link for Contoso."
    )
