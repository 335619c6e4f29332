from django import template

from apps.invitations.tokens import invitation_url

register = template.Library()

STATUS_BADGES = {
    "active": "text-bg-success",
    "revoked": "text-bg-danger",
    "expired": "text-bg-secondary",
    "used": "text-bg-info",
}


@register.filter
def status_badge(invitation) -> str:
    """Bootstrap badge classes for an invitation's derived status."""
    return STATUS_BADGES.get(invitation.effective_status, "text-bg-light")


@register.filter
def invitation_link(invitation) -> str:
    """The invitation's shareable link (signed again from the stored secret; no query)."""
    return invitation_url(invitation)
