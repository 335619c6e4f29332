"""Customers prove their tenant: DNS TXT and operator verification, competing claims, expiry,
what an unverified customer sees, and the subscriptions a squatter never gets."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import Customer, Subscription
from apps.customers.selectors import customer_service_rows, customer_services
from apps.customers.services import customer_create, subscription_import
from apps.customers.verification import (
    DnsLookupError,
    claims_expire,
    customer_verify_by_operator,
    customer_verify_dns,
    dnspython_txt_lookup,
)
from apps.notifications.models import Notification
from tests import factories

DOMAIN = "adventure.partner.onmschina.cn"


def serve(customer: Customer, *extra: str):
    """The test resolver answers the customer's issued value (and `extra` strings)."""
    return override_settings(
        TENANT_DNS_STATIC_RECORDS={customer.tenant_domain: [*extra, customer.txt_record_value]}
    )


def claim(name: str, email: str, domain: str = DOMAIN) -> Customer:
    return customer_create(name=name, tenant_domain=domain, admin=factories.make_user(email))


def admin_of(customer: Customer):
    return customer.memberships.select_related("user").get().user


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def staff_client(cast):
    return client_for(cast.staff)


def import_row(domain: str, external_id: str = "SUB-1") -> dict:
    return {
        "customer": domain,
        "service": "office365",
        "subscription_id": external_id,
        "seats": "25",
        "status": "active",
        "purchase_channel": "operator_direct",
        "partner_of_record": "",
        "offer": "E3",
        "start_date": "",
    }


# ------------------------------------------------------------------------------
# DNS verification
# ------------------------------------------------------------------------------
def test_a_new_claim_starts_unverified_with_its_own_value(db):
    first, second = claim("A", "a@a.test"), claim("B", "b@b.test")
    assert first.verification_status == second.verification_status == "unverified"
    assert first.txt_record_value.startswith("partner-portal-verification=")
    assert first.verification_token != second.verification_token


def test_the_txt_record_verifies_the_claim_and_is_audited(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    with serve(customer, "v=spf1 -all"):
        customer_verify_dns(customer=customer, by=admin_of(customer))
    customer.refresh_from_db()
    assert customer.is_verified and customer.verification_method == "dns"
    assert customer.verified_by == admin_of(customer) and customer.verified_at is not None
    event = AuditEvent.objects.get(action="customer.verified")
    assert event.data["method"] == "dns" and event.customer_id == customer.pk


def test_a_missing_or_wrong_record_changes_nothing_and_is_audited(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    with (
        override_settings(
            TENANT_DNS_STATIC_RECORDS={DOMAIN: ["partner-portal-verification=wrong"]}
        ),
        pytest.raises(ValidationError) as exc,
    ):
        customer_verify_dns(customer=customer, by=admin_of(customer))
    assert exc.value.code == "not_found"
    customer.refresh_from_db()
    assert customer.is_unverified and customer.last_checked_at is not None
    assert AuditEvent.objects.filter(action="customer.verification_failed").count() == 1


def test_a_resolver_that_fails_is_a_clear_message_not_a_500(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    broken_resolver = override_settings(
        TENANT_DNS_RESOLVER="tests.customers.test_verification.broken"
    )
    with broken_resolver, pytest.raises(ValidationError) as exc:
        customer_verify_dns(customer=customer, by=admin_of(customer))
    assert exc.value.code == "lookup_failed"
    assert Customer.objects.get(pk=customer.pk).is_unverified


def broken(domain):
    raise DnsLookupError("timeout")


def test_verifying_again_is_refused(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    with serve(customer):
        customer_verify_dns(customer=customer, by=admin_of(customer))
        with pytest.raises(ValidationError) as exc:
            customer_verify_dns(customer=customer, by=admin_of(customer))
    assert exc.value.code == "verified"
    assert AuditEvent.objects.filter(action="customer.verified").count() == 1


def test_the_dnspython_resolver_asks_the_configured_nameserver(monkeypatch, settings):
    """The production seam, without the network: dnspython's resolve is replaced."""
    import dns.resolver

    seen = {}

    class Answer(list):
        pass

    class Rdata:
        strings = (b"partner-portal-", b"verification=abc")

    def fake_resolve(self, name, rdtype):
        seen.update(name=name, rdtype=rdtype, nameservers=list(self.nameservers))
        return Answer([Rdata()])

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", fake_resolve)
    settings.TENANT_DNS_NAMESERVERS = ["192.0.2.53"]
    assert dnspython_txt_lookup(DOMAIN) == ["partner-portal-verification=abc"]
    assert seen == {"name": DOMAIN, "rdtype": "TXT", "nameservers": ["192.0.2.53"]}

    def no_answer(self, name, rdtype):
        raise dns.resolver.NXDOMAIN()

    monkeypatch.setattr(dns.resolver.Resolver, "resolve", no_answer)
    assert dnspython_txt_lookup(DOMAIN) == []


# ------------------------------------------------------------------------------
# Competing claims and expiry
# ------------------------------------------------------------------------------
def test_two_competing_claims_end_with_the_verified_one(db, django_capture_on_commit_callbacks):
    squatter = claim("Fake Adventure", "squat@evil.test")
    real = claim("Adventure Works", "ann@adventure.test", domain=DOMAIN.upper())
    with django_capture_on_commit_callbacks(execute=True), serve(real):
        customer_verify_dns(customer=real, by=admin_of(real))
    squatter.refresh_from_db()
    assert squatter.verification_status == "closed"
    assert squatter.claim_close_reason == "superseded"
    # the loser is told, in the portal and by email
    assert Notification.objects.filter(
        user=admin_of(squatter), kind="customer.claim_closed"
    ).exists()
    assert any("squat@evil.test" in m.to for m in mail.outbox)
    # and can never verify now, even with the record
    with serve(squatter), pytest.raises(ValidationError) as exc:
        customer_verify_dns(customer=squatter, by=admin_of(squatter))
    assert exc.value.code == "closed"
    assert Customer.objects.verified().get(tenant_domain__iexact=DOMAIN) == real


def test_a_domain_held_by_a_verified_organization_cannot_be_verified_again(cast):
    late = claim("Copy", "copy@copy.test", domain=cast.customer.tenant_domain)
    with serve(late), pytest.raises(ValidationError) as exc:
        customer_verify_dns(customer=late, by=admin_of(late))
    assert exc.value.code == "held"
    assert Customer.objects.get(pk=late.pk).is_unverified


def test_the_database_holds_a_verified_domain_once(cast):
    from django.db import IntegrityError, transaction

    late = claim("Copy", "copy@copy.test", domain=cast.customer.tenant_domain.upper())
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.filter(pk=late.pk).update(
            verification_status="verified", verified_at=timezone.now()
        )


@override_settings(TENANT_CLAIM_DAYS=14)
def test_an_expired_claim_frees_the_domain(db):
    old = claim("Old claim", "old@old.test")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=15))
    fresh = claim("Fresh claim", "fresh@fresh.test", domain="fresh.partner.onmschina.cn")
    assert claims_expire() == 1
    assert claims_expire() == 0  # idempotent
    old.refresh_from_db()
    assert old.verification_status == "closed" and old.claim_close_reason == "expired"
    assert Customer.objects.get(pk=fresh.pk).is_unverified
    assert AuditEvent.objects.filter(action="customer.claim_closed").count() == 1
    # the domain is free: a new claim verifies it
    again = claim("Adventure Works", "ann@adventure.test")
    with serve(again):
        customer_verify_dns(customer=again, by=admin_of(again))
    assert Customer.objects.get(pk=again.pk).is_verified


@override_settings(TENANT_CLAIM_DAYS=14)
def test_the_expiry_command_reports_and_is_idempotent(db, capsys):
    old = claim("Old claim", "old@old.test")
    Customer.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=20))
    call_command("customers_expire_claims")
    call_command("customers_expire_claims")
    out = capsys.readouterr().out
    assert "Closed 1 expired" in out and "Closed 0 expired" in out


# ------------------------------------------------------------------------------
# Operator verification
# ------------------------------------------------------------------------------
def test_the_operator_verifies_with_a_note_recorded(cast):
    customer = claim("Adventure Works", "ann@adventure.test")
    with pytest.raises(ValidationError):
        customer_verify_by_operator(customer=customer, by=cast.staff, note="  ")
    customer_verify_by_operator(
        customer=customer, by=cast.staff, note="Called the tenant's global admin"
    )
    customer.refresh_from_db()
    assert customer.is_verified and customer.verification_method == "operator"
    assert customer.verified_by == cast.staff
    event = AuditEvent.objects.get(action="customer.verified")
    assert event.actor == cast.staff and event.data["note"] == "Called the tenant's global admin"


def test_the_admin_lists_unverified_claims_with_their_age_and_verifies_them(staff_client, cast):
    customer = claim("Adventure Works", "ann@adventure.test")
    Customer.objects.filter(pk=customer.pk).update(created_at=timezone.now() - timedelta(days=3))
    url = reverse("admin:customers_customer_changelist")
    page = staff_client.get(url, {"verification_status__exact": "unverified"})
    html = page.content.decode()
    assert "Adventure Works" in html and cast.customer.name not in html
    assert '<td class="field-claim_age">3</td>' in html
    data = {"action": "verify_tenant", "_selected_action": [customer.pk]}
    confirm = staff_client.post(url, data)
    assert confirm.status_code == 200 and "How was the tenant checked?" in confirm.content.decode()
    assert Customer.objects.get(pk=customer.pk).is_unverified  # nothing before the note
    staff_client.post(url, {**data, "apply": "1", "reason": "Letter on company paper"})
    customer.refresh_from_db()
    assert customer.is_verified and customer.verification_note == "Letter on company paper"


# ------------------------------------------------------------------------------
# What verification gates
# ------------------------------------------------------------------------------
def test_a_squatter_never_sees_the_tenants_subscriptions(cast, services):
    """The squatter claims the real tenant's domain before the import, the real one after."""
    domain = "contoso.partner.onmschina.cn"
    squatter = claim("Contoso (not really)", "squat@evil.test", domain=domain)
    with pytest.raises(ValidationError):
        # an import by domain finds no verified organization: refused, nothing attached
        subscription_import(rows=[import_row(domain)], by=cast.staff)
    assert not Subscription.objects.exists()
    # even a subscription attached to it (by public ID) stays hidden while unverified
    Subscription.objects.create(
        customer=squatter,
        service=services["office365"],
        external_id="SUB-X",
        purchase_channel="operator_direct",
    )
    rows = customer_service_rows(squatter, customer_services(squatter))
    assert all(row.subscriptions == [] for row in rows)
    client = client_for(admin_of(squatter))
    page = client.get(reverse("customers:relationships", args=[squatter.public_id]))
    assert "1 subscription" not in page.content.decode()
    assert "not verified yet" in page.content.decode()
    # the real tenant verifies: the squatter's claim closes, the import lands with the real one
    real = claim("Contoso", "it@contoso.test", domain=domain)
    with serve(real):
        customer_verify_dns(customer=real, by=admin_of(real))
    subscription_import(rows=[import_row(domain, "SUB-2")], by=cast.staff)
    assert Subscription.objects.get(external_id="SUB-2").customer == real
    squatter.refresh_from_db()
    assert squatter.is_claim_closed


def test_a_verified_customer_sees_its_subscriptions(cast, services):
    Subscription.objects.create(
        customer=cast.customer,
        service=services["office365"],
        external_id="SUB-V",
        purchase_channel="operator_direct",
        seats=7,
    )
    rows = customer_service_rows(cast.customer, customer_services(cast.customer))
    assert [r.subscriptions for r in rows if r.subscriptions][0][0][2:] == (1, 7)


def test_partners_see_an_unverified_badge(cast):
    from apps.customers.models import ResellerRelationship

    customer = claim("Adventure Works", "ann@adventure.test")
    ResellerRelationship.objects.create(customer=customer, provider=cast.provider)
    client = client_for(cast.provider_admin)
    listing = client.get(reverse("customers:partner_customers", args=[cast.provider.public_id]))
    assert "Unverified" in listing.content.decode()
    detail = client.get(
        reverse("customers:partner_customer", args=[cast.provider.public_id, customer.public_id])
    )
    assert "has not verified its tenant domain yet" in detail.content.decode()


# ------------------------------------------------------------------------------
# The customer's pages
# ------------------------------------------------------------------------------
def test_the_overview_shows_the_record_and_the_check_verifies(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    client = client_for(admin_of(customer))
    home = reverse("customers:home", args=[customer.public_id])
    html = client.get(home).content.decode()
    assert customer.txt_record_value in html and "Unverified" in html
    verify = reverse("customers:verify", args=[customer.public_id])
    response = client.post(verify, follow=True)
    assert "No TXT record with the expected value" in response.content.decode()
    with serve(customer):
        response = client.post(verify, follow=True)
    assert "is verified" in response.content.decode()
    assert Customer.objects.get(pk=customer.pk).is_verified
    # GET changes nothing and goes back to the overview
    assert client.get(verify)["Location"] == home


def test_a_reader_cannot_verify(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    reader = factories.make_user("reader@adventure.test")
    customer.memberships.create(user=reader, role="reader")
    client = client_for(reader)
    html = client.get(reverse("customers:home", args=[customer.public_id])).content.decode()
    assert customer.txt_record_value not in html
    with serve(customer):
        response = client.post(reverse("customers:verify", args=[customer.public_id]))
    assert response.status_code == 403
    assert Customer.objects.get(pk=customer.pk).is_unverified


def test_a_verified_tenant_checks_its_proof_again_and_every_check_is_audited(db):
    """Verification is re-checkable: the record still there, then gone — the tenant stays
    verified (a DNS tidy-up must not cut it off) and each check is in the audit log."""
    customer = claim("Adventure Works", "ann@adventure.test")
    ann = admin_of(customer)
    client = client_for(ann)
    verify = reverse("customers:verify", args=[customer.public_id])
    with serve(customer):
        customer_verify_dns(customer=customer, by=ann)
        page = client.post(verify, follow=True).content.decode()
    assert "still on" in page
    with override_settings(TENANT_DNS_STATIC_RECORDS={}):
        page = client.post(verify, follow=True).content.decode()
    assert "any more" in page
    customer.refresh_from_db()
    assert customer.is_verified and customer.last_checked_at is not None
    checks = AuditEvent.objects.filter(action="customer.verification_rechecked").order_by("pk")
    assert [event.data["found"] for event in checks] == [True, False]
    assert all(event.actor == ann and event.customer_id == customer.pk for event in checks)


def test_a_reader_cannot_check_again_and_an_unverified_claim_cannot_recheck(db):
    customer = claim("Adventure Works", "ann@adventure.test")
    with serve(customer):
        customer_verify_dns(customer=customer, by=admin_of(customer))
    reader = factories.make_user("rita@adventure.test")
    customer.memberships.create(user=reader, role="reader")
    response = client_for(reader).post(reverse("customers:verify", args=[customer.public_id]))
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="customer.verification_rechecked").exists()
    other = claim("Other Works", "olga@other.test", domain="other.partner.onmschina.cn")
    from apps.customers.verification import customer_recheck_dns

    with pytest.raises(ValidationError) as exc:
        customer_recheck_dns(customer=other, by=admin_of(other))
    assert exc.value.code == "unverified"
