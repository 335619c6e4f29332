"""Demo team and partnership invitations from Contoso, so the Team and Resellers pages show
open invitations and the one-time link flows can be tried: the links are printed (and the
console email backend prints the emails). Safe to run again: nothing is re-sent."""

from apps.accounts.models import User
from apps.partners.models import ResellerPartnership, Role, TeamInvitation
from apps.partners.services import partnership_invite, team_invite

TEAM_INVITEE = "newagent@contoso-dist.test"
RESELLER_INVITEE = "admin@wingtip.test"


def seed(*, partners, customer, stdout) -> None:
    contoso = partners["contoso"]
    admin = (
        User.objects.filter(
            partner_memberships__partner=contoso, partner_memberships__role=Role.GLOBAL_ADMIN
        )
        .order_by("pk")
        .first()
    )
    if admin is None:
        stdout.write("Partners: no Contoso Global admin, skipped.")
        return
    if not TeamInvitation.objects.filter(partner=contoso, email=TEAM_INVITEE).exists():
        invitation = team_invite(
            partner=contoso,
            by=admin,
            email=TEAM_INVITEE,
            role=Role.SALES_AGENT,
            acting_partner=contoso,
        )
        stdout.write(f"Partners: team invitation for {TEAM_INVITEE}: {invitation.link_url}")
    if not ResellerPartnership.objects.filter(
        provider=contoso, invited_email=RESELLER_INVITEE
    ).exists():
        partnership = partnership_invite(
            provider=contoso, by=admin, email=RESELLER_INVITEE, acting_partner=contoso
        )
        stdout.write(
            f"Partners: reseller invitation for {RESELLER_INVITEE}: {partnership.link_url}"
        )
