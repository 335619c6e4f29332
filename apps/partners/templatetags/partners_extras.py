from django import template

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"team.manage" %}`: asks PartnerMembership.has_perm, the one place
    where roles turn into capabilities."""
    return bool(membership) and membership.has_perm(perm)


@register.simple_tag(takes_context=True)
def partners_page_url(context, param: str, number) -> str:
    """The current URL with `param` set to page `number`, other query parameters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
