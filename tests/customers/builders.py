"""Bulk data for the query-count tests (bulk_create keeps 300 rows fast)."""

from apps.customers.models import (
    Customer,
    DelegatedAdminGrant,
    ResellerRelationship,
    Service,
    Subscription,
)
from apps.customers.services import customer_access_refresh
from apps.partners.models import Partner


def many_relationships_for_customer(customer, n: int) -> None:
    """n providers, each with a relationship, a service, a grant and a subscription."""
    tag = f"{customer.pk}-{n}"
    providers = Partner.objects.bulk_create(
        Partner(name=f"Provider {tag}-{i}", kind=Partner.Kind.INDIRECT_PROVIDER, status="active")
        for i in range(n)
    )
    services = Service.objects.bulk_create(
        Service(code=f"svc-{tag}-{i}", name=f"Service {tag}-{i}", position=100 + i)
        for i in range(n)
    )
    relationships = ResellerRelationship.objects.bulk_create(
        ResellerRelationship(customer=customer, provider=p) for p in providers
    )
    DelegatedAdminGrant.objects.bulk_create(
        DelegatedAdminGrant(
            customer=customer, service=s, partner=p, relationship=r, provisioning=True
        )
        for s, p, r in zip(services, providers, relationships, strict=True)
    )
    Subscription.objects.bulk_create(
        Subscription(
            customer=customer,
            service=s,
            external_id=f"SUB-{tag}-{i}",
            purchase_channel=Subscription.Channel.CSP,
            partner_of_record=p,
        )
        for i, (s, p) in enumerate(zip(services, providers, strict=True))
    )
    customer_access_refresh(customer_ids=[customer.pk])


def many_customers_for(provider, reseller, service, n: int) -> list[Customer]:
    """n customers, each with a relationship (reseller attached) and a grant to the reseller."""
    customers = Customer.objects.bulk_create(
        Customer(
            name=f"Customer {provider.pk}-{i:04}", tenant_domain=f"c{provider.pk}-{i}-{n}.test"
        )
        for i in range(n)
    )
    relationships = ResellerRelationship.objects.bulk_create(
        ResellerRelationship(customer=c, provider=provider, reseller=reseller) for c in customers
    )
    DelegatedAdminGrant.objects.bulk_create(
        DelegatedAdminGrant(
            customer=c, service=service, partner=reseller, relationship=r, support=True
        )
        for c, r in zip(customers, relationships, strict=True)
    )
    # bulk_create bypasses the services: bring the customer-visibility link up to date
    customer_access_refresh(customer_ids=[c.pk for c in customers])
    return customers
