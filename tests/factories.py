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
        product = name.removesuffix(" operated by 21Vianet")
        Service.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "position": position,
                "name_it": f"{product} gestito da 21Vianet",
                "name_zh_hans": f"由世纪互联运营的 {product}",
            },
        )
    return {s.code: s for s in Service.objects.all()}


def signup_link_in_email(email: str) -> str:
    """The path of the sign-up confirmation link in the last email to `email`."""
    import re

    from django.core import mail

    for message in reversed(mail.outbox):
        if email.lower() in (a.lower() for a in message.to):
            found = re.search(r"https?://[^/\s]+(/accounts/signup/[\w-]+/)", message.body)
            assert found, f"the last email to {email} has no sign-up link: {message.subject!r}"
            return found.group(1)
    raise AssertionError(f"no email to {email}")


def confirm_signup(client, email: str):
    """Open the confirmation link emailed to `email` and confirm (what the person does next
    after a sign-up form); returns the response of the confirmation."""
    client.get(signup_link_in_email(email))
    return client.post("/accounts/signup/confirm/")


def add_second_organization(user: User, partner: Partner) -> User:
    """Make `user` also a Helpdesk agent of `partner`, so the dashboard lists two organizations
    instead of sending them straight to their only one (issue 16)."""
    PartnerMembership.objects.get_or_create(
        user=user, partner=partner, defaults={"role": Role.HELPDESK_AGENT}
    )
    return user
