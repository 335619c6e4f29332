"""`{% expiring_grant_counts partner as counts %}`: how much delegated admin the partner sees
ends within 7 and 30 days (one query), for the partner's home page."""

from django import template

register = template.Library()


@register.simple_tag
def expiring_grant_counts(partner) -> dict[str, int]:
    from apps.customers.views_dap import expiring_counts

    return expiring_counts(partner)
