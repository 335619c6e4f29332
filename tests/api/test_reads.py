"""Customers, relationships, grants, partnerships and the audit log, scoped as the pages."""

from django.db import transaction

from apps.audit.services import audit_record
from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
from apps.partners.permissions import Role

from .conftest import KeyClient, make_key


def _relationship(cast, services):
    relationship = ResellerRelationship.objects.create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    DelegatedAdminGrant.objects.create(
        customer=cast.customer,
        service=services["o365"] if "o365" in services else next(iter(services.values())),
        partner=cast.reseller,
        relationship=relationship,
        provisioning=True,
    )
    return relationship


def test_customers_with_relationships_and_grants(cast, services, provider_api, outsider_api):
    _relationship(cast, services)
    body = provider_api.get("/api/v1/customers/").json()
    [customer] = body["results"]
    assert customer["id"] == cast.customer.public_id
    assert customer["relationships"][0]["reseller"] == cast.reseller.public_id
    assert customer["grants"][0]["partner"] == cast.reseller.public_id
    assert outsider_api.get("/api/v1/customers/").json()["results"] == []
    # Another organization's customer is 404, as on the pages
    assert outsider_api.get(f"/api/v1/customers/{cast.customer.public_id}/").status_code == 404
    assert provider_api.get(f"/api/v1/customers/{cast.customer.public_id}/").status_code == 200


def test_relationships_and_grants_are_scoped(cast, services, reseller_api, outsider_api):
    _relationship(cast, services)
    assert reseller_api.get("/api/v1/relationships/").json()["count"] == 1
    assert reseller_api.get("/api/v1/grants/").json()["count"] == 1
    assert outsider_api.get("/api/v1/relationships/").json()["count"] == 0
    assert outsider_api.get("/api/v1/grants/").json()["count"] == 0


def test_partnerships_from_both_sides(cast, provider_api, reseller_api, outsider_api):
    [row] = provider_api.get("/api/v1/partnerships/").json()["results"]
    assert row["reseller"] == cast.reseller.public_id
    [row] = reseller_api.get("/api/v1/partnerships/").json()["results"]
    assert row["provider"] == cast.provider.public_id
    assert outsider_api.get("/api/v1/partnerships/").json()["results"] == []


def test_audit_events_cursor_pagination_and_filters(cast, provider_api, outsider_api):
    with transaction.atomic():
        for _ in range(5):
            audit_record(action="grant.moved", partners=[cast.provider], target_repr="x")
        audit_record(action="grant.removed", partners=[cast.other_provider])
    first = provider_api.get("/api/v1/audit-events/?action=grant.moved&page_size=2").json()
    assert len(first["results"]) == 2 and first["next"]
    second = provider_api.get(first["next"]).json()
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert len(set(ids)) == 4
    assert all(e["action"] == "grant.moved" for e in first["results"])
    others = outsider_api.get("/api/v1/audit-events/?action=grant.moved").json()["results"]
    assert others == []
    assert provider_api.get("/api/v1/audit-events/?since=yesterday").status_code == 400
    ok = provider_api.get("/api/v1/audit-events/?since=2020-01-01T00:00:00%2B00:00")
    assert ok.status_code == 200


def test_a_sales_agent_key_may_not_read_the_audit_log(cast):
    _key, secret = make_key(cast.provider, cast.provider_admin, Role.SALES_AGENT)
    assert KeyClient(secret).get("/api/v1/audit-events/").status_code == 403
