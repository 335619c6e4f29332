from django import template

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"customers.view" %}`: asks PartnerMembership.has_perm."""
    return bool(membership is not None and membership.has_perm(perm))


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """The current URL with `param` set to `number`, other query parameters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
