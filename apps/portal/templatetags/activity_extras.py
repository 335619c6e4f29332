from django import template

register = template.Library()


@register.filter
def audit_can(membership, perm: str) -> bool:
    """`{% if membership|audit_can:"activity.view" %}`: asks PartnerMembership.has_perm."""
    return bool(membership) and membership.has_perm(perm)


@register.simple_tag(takes_context=True)
def audit_page_url(context, number) -> str:
    """The current URL's query string with `page` set to `number`, the filters kept."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def audit_query_string(context) -> str:
    """The current filters as a query string (without the page), for the export link."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""
