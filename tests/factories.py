"""Small builders for test data. Tests that check rules go through services instead."""

import itertools

from django.utils import timezone

from apps.accounts.models import User
from apps.customers.models import Customer, CustomerMembership, Service
from apps.partners.models import Partner, PartnerMembership, ResellerPartnership, Role

PASSWORD = "Correct-Horse-2026"
_seq = itertools.count(1)


def make_user(email: str | None = None, **extra) -> User:
    email = email or f"user{next(_seq)}@example.test"
    return User.objects.create_user(
        email, PASSWORD, display_name=extra.pop("display_name", email.split("@")[0]), **extra
    )


def make_partner(
    name: str | None = None,
    kind=Partner.Kind.INDIRECT_PROVIDER,
    status=Partner.Status.ACTIVE,
    **extra,
) -> Partner:
    return Partner.objects.create(
        name=name or f"Partner {next(_seq)}", kind=kind, status=status, **extra
    )


def make_provider(name: str | None = None, **extra) -> Partner:
    return make_partner(name, kind=Partner.Kind.INDIRECT_PROVIDER, **extra)


def make_reseller(name: str | None = None, **extra) -> Partner:
    return make_partner(name, kind=Partner.Kind.INDIRECT_RESELLER, **extra)


def make_member(
    partner: Partner, role=Role.GLOBAL_ADMIN, user: User | None = None, **user_extra
) -> User:
    user = user or make_user(**user_extra)
    PartnerMembership.objects.create(user=user, partner=partner, role=role)
    return user


def make_partnership(
    provider: Partner, reseller: Partner, state=ResellerPartnership.State.ACTIVE
) -> ResellerPartnership:
    from django.utils import timezone

    return ResellerPartnership.objects.create(
        provider=provider,
        reseller=reseller,
        state=state,
        invited_email=reseller.contact_email or "reseller@example.test",
        activated_at=timezone.now() if state != ResellerPartnership.State.INVITED else None,
    )


def make_customer(
    name: str | None = None,
    domain: str | None = None,
    admin: User | None = None,
    verified: bool = True,
) -> Customer:
    """A customer organization; verified unless asked (most tests are not about the proof)."""
    n = next(_seq)
    customer = Customer.objects.create(
        name=name or f"Customer {n}",
        tenant_domain=domain or f"customer{n}.partner.onmschina.cn",
        verification_status="verified" if verified else "unverified",
        verified_at=timezone.now() if verified else None,
    )
    if admin is not None:
        CustomerMembership.objects.create(user=admin, customer=customer)
    return customer


SERVICE_CATALOG = [
    ("office365", "Office 365 operated by 21Vianet", 10),
    ("azure", "Azure operated by 21Vianet", 20),
    ("dynamics365", "Dynamics 365 operated by 21Vianet", 30),
    ("powerbi", "Power BI operated by 21Vianet", 40),
]


def ensure_service_catalog() -> dict[str, Service]:
    for code, name, position in SERVICE_CATALOG:
        Service.objects.get_or_create(code=code, defaults={"name": name, "position": position})
    return {s.code: s for s in Service.objects.all()}
