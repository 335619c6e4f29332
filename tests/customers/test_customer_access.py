"""The customer-visibility link (CustomerAccess) says the same as the definition it replaced:
an active relationship the partner owns or is attached to, or an active grant it holds."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.customers.models import CustomerAccess, DelegatedAdminGrant, ResellerRelationship
from apps.customers.selectors import partner_customers, visible_customers_by_definition
from apps.customers.services import (
    customer_access_rebuild,
    customer_access_refresh,
    grant_remove,
    grant_set,
    relationship_end,
    relationship_get_or_create,
)
from tests import factories


def _by_definition(partners) -> dict:
    return {
        p.pk: set(visible_customers_by_definition(p).values_list("pk", flat=True)) for p in partners
    }


def _by_link(partners) -> dict:
    return {
        p.pk: set(CustomerAccess.objects.filter(partner=p).values_list("customer_id", flat=True))
        for p in partners
    }


def test_a_relationship_makes_the_customer_visible_to_provider_and_reseller(cast):
    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller, by=None
    )
    assert list(partner_customers(cast.provider)) == [cast.customer]
    assert list(partner_customers(cast.reseller)) == [cast.customer]
    assert list(partner_customers(cast.other_provider)) == []


def test_ending_the_relationship_hides_the_customer_again(cast, services):
    rel, _ = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller, by=None
    )
    grant_set(
        customer=cast.customer,
        service=services["azure"],
        partner=cast.reseller,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        notify=False,
    )
    relationship_end(relationship=rel, by=cast.provider_admin, reason="Contract over")
    assert list(partner_customers(cast.provider)) == []
    assert list(partner_customers(cast.reseller)) == []
    assert not CustomerAccess.objects.exists()


def test_a_grant_keeps_the_customer_visible_to_its_holder_until_removed(cast, services):
    """A grant holder sees the customer even when no relationship of its own remains."""
    rel, _ = relationship_get_or_create(customer=cast.customer, provider=cast.provider, by=None)
    grant = grant_set(
        customer=cast.customer,
        service=services["azure"],
        partner=cast.reseller,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        notify=False,
    ).grant
    assert list(partner_customers(cast.reseller)) == [cast.customer]
    grant_remove(grant=grant, by=cast.customer_admin, note="No longer needed", notify=False)
    assert list(partner_customers(cast.reseller)) == []
    assert list(partner_customers(cast.provider)) == [cast.customer]


def test_a_refresh_removes_only_what_is_stale(cast):
    """A row nobody may see any more goes; a missing one comes; the rest stay untouched."""
    CustomerAccess.objects.create(partner=cast.other_provider, customer=cast.customer)
    ResellerRelationship.objects.create(customer=cast.customer, provider=cast.provider)
    customer_access_refresh(customer_ids=[cast.customer.pk])
    assert _by_link([cast.provider, cast.other_provider]) == {
        cast.provider.pk: {cast.customer.pk},
        cast.other_provider.pk: set(),
    }
    customer_access_refresh(customer_ids=[])  # nothing to do, no query error


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_link_matches_the_definition_after_random_changes_through_the_services(
    cast, services, seed
):
    """Random relationships, grants, moves, removals and ends, all through the services; after
    each step the link equals the old OR-ed subquery for every partner, and a full rebuild
    gives the same rows."""
    rng = random.Random(seed)
    providers = [cast.provider, cast.other_provider]
    resellers = [cast.reseller, factories.make_reseller("Tailspin")]
    factories.make_partnership(cast.provider, resellers[1])
    factories.make_partnership(cast.other_provider, resellers[0])
    partners = providers + resellers
    customers = [cast.customer] + [factories.make_customer() for _ in range(5)]
    service_list = list(services.values())
    for _step in range(60):
        customer = rng.choice(customers)
        operation = rng.random()
        try:
            if operation < 0.35:
                relationship_get_or_create(
                    customer=customer,
                    provider=rng.choice(providers),
                    reseller=rng.choice([None, *resellers]),
                    by=None,
                )
            elif operation < 0.7:
                grant_set(
                    customer=customer,
                    service=rng.choice(service_list),
                    partner=rng.choice(partners),
                    provisioning=True,
                    support=rng.random() < 0.5,
                    by=None,
                    confirm_move=True,
                    notify=False,
                )
            elif operation < 0.85:
                grant = DelegatedAdminGrant.objects.active().filter(customer=customer).first()
                if grant is not None:
                    grant_remove(grant=grant, by=None, note="random", notify=False)
            else:
                rel = ResellerRelationship.objects.active().filter(customer=customer).first()
                if rel is not None:
                    relationship_end(relationship=rel, by=None, reason="random")
        except ValidationError:
            pass  # an ineligible random choice: refused, nothing changed
        assert _by_link(partners) == _by_definition(partners)
    expected = _by_link(partners)
    assert any(expected.values())  # the walk did make someone visible
    customer_access_rebuild()
    assert _by_link(partners) == expected


def _copies(customer) -> set:
    return set(
        CustomerAccess.objects.filter(customer=customer).values_list(
            "customer_name", "customer_domain", "customer_public_id"
        )
    )


def test_a_link_carries_the_customer_s_name_domain_and_id(cast):
    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller, by=None
    )
    c = cast.customer
    assert _copies(c) == {(c.name, c.tenant_domain, c.public_id)}
    customer_access_rebuild()
    assert _copies(c) == {(c.name, c.tenant_domain, c.public_id)}


def test_renaming_a_customer_renames_it_in_every_partner_s_list(cast):
    """The list is ordered and searched on the links' copies: a rename (the admin, a shell)
    reaches them in the same save, and the list finds the customer by its new name only."""
    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller, by=None
    )
    customer = cast.customer
    customer.name = "Zebra Renamed Ltd"
    customer.tenant_domain = "zebra.partner.onmschina.cn"
    customer.save()
    assert _copies(customer) == {
        ("Zebra Renamed Ltd", "zebra.partner.onmschina.cn", customer.public_id)
    }
    assert list(partner_customers(cast.reseller, search="zebra renamed")) == [customer]
    assert list(partner_customers(cast.reseller, search="zebra.partner")) == [customer]
    assert list(partner_customers(cast.provider, search=customer.public_id.lower())) == [customer]
    # a save of other fields leaves the links alone (no query for them)
    customer.country = "IT"
    customer.save(update_fields=["country"])
    assert _copies(customer) == {
        ("Zebra Renamed Ltd", "zebra.partner.onmschina.cn", customer.public_id)
    }


def test_a_refresh_mends_copies_that_drifted(cast):
    """A bulk `.update()` of names sends no signal: the next refresh of the customer (or a
    rebuild) brings the links' copies back in line."""
    relationship_get_or_create(customer=cast.customer, provider=cast.provider, by=None)
    type(cast.customer).objects.filter(pk=cast.customer.pk).update(name="Bulk Renamed")
    assert _copies(cast.customer) != set()
    customer_access_refresh(customer_ids=[cast.customer.pk])
    assert _copies(cast.customer) == {
        ("Bulk Renamed", cast.customer.tenant_domain, cast.customer.public_id)
    }


@pytest.mark.parametrize(
    "term, found",
    [
        ("NORTHWIND", True),
        ("wind trad", True),
        ("ß", False),
        ("%", False),
        ("_", False),
        ("traders\nnorth", False),  # never across the name and the domain
        ("partner.onmschina", True),
    ],
)
def test_the_list_search_matches_name_or_domain_as_icontains_does(cast, term, found):
    relationship_get_or_create(customer=cast.customer, provider=cast.provider, by=None)
    customer = cast.customer
    type(customer).objects.filter(pk=customer.pk).update(
        name="Northwind Traders", tenant_domain="northwind.partner.onmschina.cn"
    )
    customer_access_refresh(customer_ids=[customer.pk])
    by_link = list(partner_customers(cast.provider, search=term))
    by_icontains = list(
        type(customer).objects.filter(
            Q(name__icontains=term) | Q(tenant_domain__icontains=term), pk=customer.pk
        )
    )
    assert by_link == by_icontains == ([customer] if found else [])
