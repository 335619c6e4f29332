from django import template

register = template.Library()

STATUS_BADGES = {
    "active": "text-bg-success",
    "revoked": "text-bg-danger",
    "expired": "text-bg-secondary",
    "used": "text-bg-info",
}


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"invitations.create" %}`: asks PartnerMembership.has_perm."""
    return bool(membership is not None and membership.has_perm(perm))


@register.filter
def status_badge(invitation) -> str:
    """Bootstrap badge classes for an invitation's derived status."""
    return STATUS_BADGES.get(invitation.effective_status, "text-bg-light")


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """The current URL with `param` set to `number`, other query parameters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
