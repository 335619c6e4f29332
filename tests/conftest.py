"""Shared fixtures: the fixed cast every organization-scoped test uses.

provider (Contoso) with one user per role; other_provider (an outsider's organization);
reseller (Fabrikam) in an active partnership with provider; customer (Northwind) with its
admin; outsider (Global admin of other_provider); staff (operator superuser).
"""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import translation

from apps.accounts.models import User
from apps.customers.models import Customer, Service
from apps.partners.models import Partner, Role

from . import factories


@pytest.fixture(autouse=True)
def _portal_language_between_tests():
    """Every test starts in the portal's default language. A request in Italian or Chinese
    leaves that language active in the thread (LocaleMiddleware never deactivates it), and
    a later test calling a service directly would otherwise get its messages translated."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _empty_cache_between_tests():
    """Rate-limit counters (apps/core/ratelimit.py) live in the cache: every test starts with
    none, so a test that opens a link or resets a password many times is not refused."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Cast:
    provider: Partner
    other_provider: Partner
    reseller: Partner
    customer: Customer
    provider_admin: User
    provider_agent: User
    provider_sales: User
    provider_helpdesk: User
    reseller_admin: User
    customer_admin: User
    outsider: User
    staff: User


@pytest.fixture
def cast(db) -> Cast:
    provider = factories.make_provider("Contoso Distribution")
    other_provider = factories.make_provider("Litware Distribution")
    reseller = factories.make_reseller("Fabrikam Solutions")
    factories.make_partnership(provider, reseller)
    customer_admin = factories.make_user("admin@northwind.test")
    customer = factories.make_customer(
        "Northwind Traders", "northwind.partner.onmschina.cn", admin=customer_admin
    )
    return Cast(
        provider=provider,
        other_provider=other_provider,
        reseller=reseller,
        customer=customer,
        provider_admin=factories.make_member(
            provider, Role.GLOBAL_ADMIN, email="admin@contoso.test"
        ),
        provider_agent=factories.make_member(
            provider, Role.ADMIN_AGENT, email="agent@contoso.test"
        ),
        provider_sales=factories.make_member(
            provider, Role.SALES_AGENT, email="sales@contoso.test"
        ),
        provider_helpdesk=factories.make_member(
            provider, Role.HELPDESK_AGENT, email="helpdesk@contoso.test"
        ),
        reseller_admin=factories.make_member(
            reseller, Role.GLOBAL_ADMIN, email="admin@fabrikam.test"
        ),
        customer_admin=customer_admin,
        outsider=factories.make_member(
            other_provider, Role.GLOBAL_ADMIN, email="admin@litware.test"
        ),
        staff=User.objects.create_superuser("operator@example.test", factories.PASSWORD),
    )


@pytest.fixture
def services(db) -> dict[str, Service]:
    """The service catalog by code. The data migration seeds it, but transactional tests
    (live server, concurrency) flush every table, so tests ask for it through this fixture."""
    return factories.ensure_service_catalog()


@pytest.fixture
def user(db) -> User:
    return factories.make_user("someone@example.test")
