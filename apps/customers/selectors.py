"""Reads for customer and partner pages, each scoped to the organization asking."""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Upper
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from apps.accounts.organizations import OrganizationLink
from apps.partners.models import Partner, ResellerPartnership

from .models import (
    SEARCH_SEPARATOR,
    Customer,
    CustomerAccess,
    CustomerMembership,
    DelegatedAdminGrant,
    ResellerRelationship,
    Service,
    Subscription,
)


def customer_organization_links(user) -> list[OrganizationLink]:
    memberships = (
        CustomerMembership.objects.filter(user=user)
        .select_related("customer")
        .order_by("customer__name")
    )
    return [
        OrganizationLink(
            kind_label=_("Customer"),
            name=m.customer.name,
            url=reverse("customers:home", kwargs={"customer_id": m.customer.public_id}),
            detail=m.customer.tenant_domain,
        )
        for m in memberships
    ]


# ------------------------------------------------------------------------------
# Who may hold delegated admin for a customer
# ------------------------------------------------------------------------------
def grant_relationship_for(*, customer: Customer, partner: Partner) -> ResellerRelationship | None:
    """The active relationship through which `partner` may hold delegated admin, or None.

    A provider: its own relationship with the customer (the one without a reseller first).
    A reseller: a relationship of a provider it has an active partnership with (the one it is
    attached to first). Suspended or pending partners receive nothing.
    """
    if not partner.is_active:
        return None
    relationships = ResellerRelationship.objects.active().filter(customer=customer)
    if partner.is_provider:
        return (
            relationships.filter(provider=partner)
            .order_by(F("reseller").asc(nulls_first=True), "started_at")
            .first()
        )
    partnered_providers = ResellerPartnership.objects.filter(
        reseller=partner, state=ResellerPartnership.State.ACTIVE
    ).values("provider_id")
    return (
        relationships.filter(provider_id__in=partnered_providers)
        .annotate(
            attached=Case(
                When(reseller=partner, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("attached", "started_at")
        .first()
    )


def grant_eligible_partners(customer: Customer) -> QuerySet[Partner]:
    """Partners the customer may give delegated admin to from its own page: the ones it
    already works with, i.e. the provider owning an active relationship and the reseller
    attached to it (in an active partnership with that provider).

    Any other reseller of its providers receives delegated admin only through a delegated
    admin request it asks for or confirms (apps/customers/dap_requests.py): the customer
    never sees a provider's list of resellers (docs/product.md)."""
    relationships = ResellerRelationship.objects.active().filter(customer=customer)
    attached = relationships.filter(
        Exists(
            ResellerPartnership.objects.filter(
                provider=OuterRef("provider"),
                reseller=OuterRef("reseller"),
                state=ResellerPartnership.State.ACTIVE,
            )
        )
    ).values("reseller_id")
    return (
        Partner.objects.active()
        .filter(Q(pk__in=relationships.values("provider_id")) | Q(pk__in=attached))
        .order_by("name")
    )


# ------------------------------------------------------------------------------
# The customer's Partner relationships page
# ------------------------------------------------------------------------------
@dataclass
class ServicePartnerRow:
    """One service on the Partner relationships page."""

    service: Service
    grant: DelegatedAdminGrant | None = None
    # (partner of record or None, purchase channel label, number of subscriptions, seats)
    subscriptions: list[tuple] = field(default_factory=list)


def customer_services(customer: Customer) -> QuerySet[Service]:
    """Services offered today plus any the customer has a subscription (once verified) or a
    grant for."""
    subscriptions = Subscription.objects.filter(customer=customer, service=OuterRef("pk"))
    if not customer.is_verified:
        subscriptions = subscriptions.none()
    return Service.objects.filter(
        Q(is_active=True)
        | Exists(subscriptions)
        | Exists(
            DelegatedAdminGrant.objects.active().filter(customer=customer, service=OuterRef("pk"))
        )
    ).order_by("position", "name")


def customer_service_rows(customer: Customer, services) -> list[ServicePartnerRow]:
    """Rows for `services` (one page of them): who holds delegated admin, who sells it.

    Three queries whatever the number of rows.
    """
    services = list(services)
    ids = [s.pk for s in services]
    rows = {s.pk: ServicePartnerRow(service=s) for s in services}
    for grant in (
        DelegatedAdminGrant.objects.active()
        .filter(customer=customer, service_id__in=ids)
        .select_related("partner", "relationship__provider", "relationship__reseller")
    ):
        rows[grant.service_id].grant = grant
    if not customer.is_verified:
        # imported subscriptions and their partner of record wait for the tenant's proof
        return [rows[pk] for pk in ids]
    channel_labels = dict(Subscription.Channel.choices)
    aggregates = (
        Subscription.objects.filter(customer=customer, service_id__in=ids)
        .exclude(status=Subscription.Status.CANCELLED)
        .values("service_id", "purchase_channel", "partner_of_record_id")
        .annotate(n=Count("id"), seats=Sum("seats"))
        .order_by("service_id", "purchase_channel", "partner_of_record_id")
    )
    aggregates = list(aggregates)
    partners = Partner.objects.in_bulk(
        {a["partner_of_record_id"] for a in aggregates if a["partner_of_record_id"]}
    )
    for a in aggregates:
        rows[a["service_id"]].subscriptions.append(
            (
                partners.get(a["partner_of_record_id"]),
                channel_labels.get(a["purchase_channel"], a["purchase_channel"]),
                a["n"],
                a["seats"],
            )
        )
    return [rows[pk] for pk in ids]


def customer_relationships(customer: Customer) -> QuerySet[ResellerRelationship]:
    """Every relationship of the customer, active first, with the grants obtained through it."""
    return (
        ResellerRelationship.objects.filter(customer=customer)
        .select_related("provider", "reseller")
        .prefetch_related(
            Prefetch(
                "grants",
                queryset=DelegatedAdminGrant.objects.active()
                .select_related("service", "partner")
                .order_by("service__position", "service__name"),
                to_attr="active_grants",
            )
        )
        .annotate(
            is_ended=Case(
                When(state=ResellerRelationship.State.ACTIVE, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_ended", "-started_at", "-pk")
    )


# ------------------------------------------------------------------------------
# Partner customer pages
# ------------------------------------------------------------------------------
def partner_visible_grants(partner: Partner) -> QuerySet[DelegatedAdminGrant]:
    """Active grants a partner sees: its own and, for a provider, those of its resellers
    obtained through its relationships."""
    grants = DelegatedAdminGrant.objects.active()
    if partner.is_provider:
        return grants.filter(Q(partner=partner) | Q(relationship__provider=partner))
    return grants.filter(partner=partner)


def partner_relationships(partner: Partner) -> QuerySet[ResellerRelationship]:
    """Relationships a partner is part of: those it owns (provider) or came through (reseller)."""
    return ResellerRelationship.objects.filter(Q(provider=partner) | Q(reseller=partner))


def customer_matches(term: str) -> Q:
    """Customers whose name or tenant domain contains `term`, or whose public ID it is: each
    part read from an index (trigram, trigram, the unique btree: public IDs are upper case),
    so PostgreSQL can unite them into one bitmap. The customer admin's search (a partner's
    list compares the same on its access links: `customer_link_matches`)."""
    return Q(name__icontains=term) | Q(tenant_domain__icontains=term) | Q(public_id=term.upper())


def customer_link_matches(term: str, prefix: str = "access_links__") -> Q:
    """`customer_matches` on a customer's CustomerAccess link (`prefix`: the path to it): the
    term in its `customer_search` (the customer's name and domain, upper-cased by the
    database, compared with the term upper-cased by the same function), or the customer's
    public ID."""
    found = Q(**{f"{prefix}customer_public_id": term.upper()})
    if SEARCH_SEPARATOR not in term:  # names and domains never hold one
        found |= Q(**{f"{prefix}customer_search__contains": Upper(Value(term))})
    return found


# The customer list's order: by name (the link's copy of it, annotated on each customer as
# `listed_name`), then id. Unique, so it can be paged by cursor; index access_partner_list_idx.
# A page of the list is read from the links themselves in CUSTOMER_LINK_ORDER: the same
# values, so a cursor is the same whichever of the two wrote it.
CUSTOMER_LIST_ORDER = ("listed_name", "pk")
CUSTOMER_LINK_ORDER = ("customer_name", "customer_id")


def partner_customers(partner: Partner, search: str = "") -> QuerySet[Customer]:
    """Customers of a partner: an active relationship it owns or is attached to, or an active
    grant it holds, by name. Each comes with `partner_relationships` and `partner_grants`
    prefetched. The export, the API and a customer's own page read this; a page of the
    partner's list is read from `partner_customer_links`.

    Who may see which customer is read from the CustomerAccess link (kept by the services that
    change it) instead of two OR-ed subqueries per customer (`visible_customers_by_definition`
    below, which the consistency test compares with it). The link carries copies of the
    customer's name, domain and ID: the list is put in order and searched on them, walking the
    partner's part of one index and testing a search in the index itself (docs/performance.md).
    """
    # one condition, one join: a customer has at most one link to a partner
    link = Q(access_links__partner=partner)
    if search:
        link &= customer_link_matches(search)
    customers = Customer.objects.filter(link).annotate(listed_name=F("access_links__customer_name"))
    return with_partner_rows(customers.order_by(*CUSTOMER_LIST_ORDER), partner)


def partner_customer_links(partner: Partner, search: str = "") -> QuerySet[CustomerAccess]:
    """The partner's CustomerAccess links in CUSTOMER_LINK_ORDER: what a page of its customer
    list, its search and its count are read from (one table, no join), before
    `customers_of_links` loads the page's customers."""
    # only what access_partner_list_idx holds: a page is an index-only scan
    links = CustomerAccess.objects.filter(partner=partner).only(
        "partner", "customer", "customer_name"
    )
    if search:
        links = links.filter(customer_link_matches(search, prefix=""))
    return links.order_by(*CUSTOMER_LINK_ORDER)


def customers_of_links(partner: Partner, links) -> list[Customer]:
    """The customers of these links, in their order, as `partner_customers` gives them."""
    ids = [link.customer_id for link in links]
    by_id = {c.pk: c for c in with_partner_rows(Customer.objects.filter(pk__in=ids), partner)}
    return [by_id[pk] for pk in ids if pk in by_id]


def with_partner_rows(customers: QuerySet[Customer], partner: Partner) -> QuerySet[Customer]:
    """`customers` with what the partner sees of each prefetched: its active relationships
    (`partner_relationships`) and the grants it may see (`partner_grants`)."""
    return customers.prefetch_related(
        Prefetch(
            "relationships",
            queryset=partner_relationships(partner)
            .filter(state=ResellerRelationship.State.ACTIVE)
            .select_related("provider", "reseller")
            .order_by("started_at"),
            to_attr="partner_relationships",
        ),
        Prefetch(
            "grants",
            queryset=partner_visible_grants(partner)
            .select_related("service", "partner")
            .order_by("service__position", "service__name"),
            to_attr="partner_grants",
        ),
    )


# Values of the customer list's filters (query string): a reseller's public ID or DIRECT; a
# service code; one of CUSTOMER_STATUSES.
DIRECT = "direct"
CUSTOMER_STATUSES = ("delegated", "not_delegated", "delegated_only")


def partner_customer_filter_choices(partner: Partner) -> dict:
    """What the customer list may be narrowed to: the resellers attached to the provider's
    active relationships, and the services of the catalog."""
    resellers = Partner.objects.none()
    if partner.is_provider:
        resellers = Partner.objects.filter(
            Exists(
                ResellerRelationship.objects.active().filter(
                    provider=partner, reseller=OuterRef("pk")
                )
            )
        ).order_by("name")
    return {"resellers": resellers, "services": Service.objects.order_by("position", "name")}


def filter_partner_customers(
    customers: QuerySet,
    *,
    partner: Partner,
    reseller: str = "",
    service: str = "",
    status: str = "",
    customer: str = "pk",
) -> QuerySet:
    """Narrow a partner's customer list (customers from `partner_customers`, or their links
    from `partner_customer_links` with `customer="customer_id"`: the field naming the
    customer): plain `.filter()`s, so they compose with however that list is built.

    `reseller` (providers): the reseller's public ID, or DIRECT for customers with a
    relationship of the provider's own (no reseller); `service`: customers for which the
    partner (or, for a provider, one of its resellers) holds delegated admin for that service
    code; `status`: "delegated" (it holds delegated admin for something), "not_delegated",
    "delegated_only" (delegated admin without a relationship).
    """
    active = partner_relationships(partner).filter(
        state=ResellerRelationship.State.ACTIVE, customer=OuterRef(customer)
    )
    if reseller and partner.is_provider:
        if reseller == DIRECT:
            customers = customers.filter(Exists(active.filter(reseller__isnull=True)))
        else:
            customers = customers.filter(Exists(active.filter(reseller__public_id=reseller)))
    if service:
        customers = customers.filter(
            Exists(
                partner_visible_grants(partner).filter(
                    customer=OuterRef(customer), service__code=service
                )
            )
        )
    held = Exists(partner_visible_grants(partner).filter(customer=OuterRef(customer)))
    if status == "delegated":
        customers = customers.filter(held)
    elif status == "not_delegated":
        customers = customers.filter(~held)
    elif status == "delegated_only":
        customers = customers.filter(~Exists(active))
    return customers


def partner_customer_count_source(partner: Partner) -> QuerySet[CustomerAccess]:
    """What to count for the unfiltered list of `partner_customers`: the link rows alone (an
    index-only scan), not the customers joined to them."""
    return CustomerAccess.objects.filter(partner=partner)


def visible_customers_by_definition(partner: Partner) -> QuerySet[Customer]:
    """The customers a partner may see, computed from relationships and grants (the query the
    customer list ran before the CustomerAccess link): for the consistency tests and repairs."""
    return Customer.objects.filter(
        Exists(
            partner_relationships(partner)
            .filter(state=ResellerRelationship.State.ACTIVE)
            .filter(customer=OuterRef("pk"))
        )
        | Exists(
            DelegatedAdminGrant.objects.active().filter(customer=OuterRef("pk"), partner=partner)
        )
    )


def partner_customer_or_404(partner: Partner, customer_public_id: str) -> Customer:
    customer = partner_customers(partner).filter(public_id=customer_public_id).first()
    if customer is None:
        raise Http404
    return customer


def partner_customer_subscriptions(
    partner: Partner, customer: Customer, service_ids
) -> QuerySet[Subscription]:
    """Subscriptions of the services the partner may administer (read-only for partners);
    none while the customer has not verified its tenant."""
    if not customer.is_verified:
        return Subscription.objects.none()
    return (
        Subscription.objects.filter(customer=customer, service_id__in=list(service_ids))
        .select_related("service", "partner_of_record")
        .order_by("service__position", "service__name", "external_id")
    )


def home_section(membership):
    """The customers part of a partner's home page: how many customers it serves."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from apps.partners.home import HomeCount, HomeSection

    section = HomeSection()
    if membership.has_perm("customers.view"):
        partner = membership.partner
        section.counts.append(
            HomeCount(
                _("Customers you serve"),
                # the visibility link rows alone (an index-only count), as the list counts
                partner_customer_count_source(partner).count(),
                reverse("customers:partner_customers", kwargs={"partner_id": partner.public_id}),
            )
        )
    return section
