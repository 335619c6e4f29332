"""Template tags every portal page may use: `{% load portal_tags %}`."""

from django import template

register = template.Library()


@register.filter
def can(membership, perm: str) -> bool:
    """`{% if membership|can:"team.manage" %}`: asks the membership's has_perm, the one place
    where roles turn into capabilities. False without a membership."""
    return bool(membership is not None and membership.has_perm(perm))


@register.simple_tag(takes_context=True)
def page_url(context, param: str, number) -> str:
    """The current URL's query string with `param` set to `number`, other parameters kept."""
    query = context["request"].GET.copy()
    query[param] = number
    return "?" + query.urlencode()
