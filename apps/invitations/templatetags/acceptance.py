"""`{% acceptance_panel invitation delivery as panel %}`: what the decision panel shows.

Used by templates/invitations/_accept_panel.html, which the landing page includes.
"""

from dataclasses import dataclass, field

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from apps.customers.models import Customer

from ..acceptance import ServicePreview, acceptance_preview
from ..models import Acceptance, Invitation
from ..views_accept import DECISION_PREFIX, landing_url

register = template.Library()


@dataclass
class AcceptancePanel:
    invitation: Invitation
    signed_in: bool
    customers: list = field(default_factory=list)
    customer: Customer | None = None
    rows: list[ServicePreview] = field(default_factory=list)
    accepted: Acceptance | None = None
    wrong_recipient: bool = False
    login_url: str = ""
    signup_url: str = ""
    landing_url: str = ""
    decision_prefix: str = DECISION_PREFIX

    @property
    def usable(self) -> bool:
        return self.invitation.is_usable

    @property
    def can_decide(self) -> bool:
        return (
            self.signed_in
            and self.customer is not None
            and self.accepted is None
            and self.usable
            and not self.wrong_recipient
        )


@register.simple_tag(takes_context=True)
def acceptance_panel(context, invitation, delivery=None) -> AcceptancePanel | None:
    request = context.get("request")
    if invitation is None or request is None:
        return None
    user = request.user
    landing = landing_url()
    panel = AcceptancePanel(
        invitation=invitation,
        signed_in=user.is_authenticated,
        login_url=f"{reverse('accounts:login')}?{urlencode({'next': landing})}",
        signup_url=reverse("invitations:accept_signup"),
        landing_url=landing,
    )
    if user.is_authenticated:
        panel.customers = list(
            Customer.objects.exclude(verification_status="closed")
            .administered_by(user)
            .order_by("name")
        )
        wanted = request.GET.get("customer", "")
        panel.customer = next(
            (c for c in panel.customers if c.public_id == wanted),
            panel.customers[0] if panel.customers else None,
        )
        panel.wrong_recipient = invitation.kind == Invitation.Kind.PERSONAL and (
            user.email.lower() != (invitation.recipient_email or "").lower()
        )
    if panel.customer is not None:
        panel.accepted = Acceptance.objects.filter(
            invitation=invitation, customer=panel.customer, outcome=Acceptance.Outcome.ACCEPTED
        ).first()
    panel.rows = acceptance_preview(invitation=invitation, customer=panel.customer)
    return panel
