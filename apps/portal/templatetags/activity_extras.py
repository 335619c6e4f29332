from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def audit_query_string(context) -> str:
    """The current filters as a query string (without the page), for the export link."""
    query = context["request"].GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""
