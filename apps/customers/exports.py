"""A partner's customer list as CSV, streamed (apps.core.csv_export): what the list page shows,
with the same search and filters, one row per customer."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from apps.core.csv_export import CHUNK_SIZE, export_filename, streaming_csv_response
from apps.core.text import join_list
from apps.partners.models import Partner


def partner_customers_header(partner: Partner) -> list[str]:
    return [
        _("Customer ID"),
        _("Customer"),
        _("Tenant domain"),
        _("Country"),
        _("Reseller attached") if partner.is_provider else _("Provider"),
        _("Delegated admin"),
    ]


def partner_customers_rows(customers: QuerySet, *, partner: Partner):
    # iterator(chunk_size) keeps the prefetches (one query per relation per chunk)
    for customer in customers.iterator(chunk_size=CHUNK_SIZE):
        if partner.is_provider:
            through = [
                r.reseller.name if r.reseller else _("None (direct)")
                for r in customer.partner_relationships
            ]
        else:
            through = [r.provider.name for r in customer.partner_relationships]
        grants = [
            f"{g.service.display_name}: {g.partner.name} ({g.scopes_display})"
            for g in customer.partner_grants
        ]
        yield [
            customer.public_id,
            customer.name,
            customer.tenant_domain,
            customer.country,
            join_list(through),
            "; ".join(grants),
        ]


def partner_customers_csv_response(customers: QuerySet, *, partner: Partner):
    return streaming_csv_response(
        export_filename(f"customers-{partner.public_id}"),
        partner_customers_header(partner),
        partner_customers_rows(customers, partner=partner),
    )
