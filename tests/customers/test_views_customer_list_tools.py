"""The customer list at distributor scale (issue 16, point 10): filters by reseller, service
and delegated-admin status that compose with the search, and a streamed CSV export of exactly
what the list shows."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.customers.models import ResellerRelationship
from apps.customers.services import grant_set
from tests import factories

from .builders import many_customers_for


def list_url(partner, query: str = "") -> str:
    url = reverse("customers:partner_customers", kwargs={"partner_id": partner.public_id})
    return f"{url}?{query}" if query else url


def export_url(partner, query: str = "") -> str:
    url = reverse("customers:partner_customers_export", kwargs={"partner_id": partner.public_id})
    return f"{url}?{query}" if query else url


def csv_rows(response) -> list[dict]:
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def book(cast, services, relationship, tailspin):
    """Northwind through Fabrikam with Azure delegated to Fabrikam; Adventure Works direct
    with nothing delegated; Wide World through Tailspin with Office 365 delegated."""
    grant_set(
        customer=cast.customer,
        service=services["azure"],
        partner=cast.reseller,
        provisioning=True,
        support=True,
        by=cast.customer_admin,
    )
    direct = factories.make_customer("Adventure Works", "adventure.partner.onmschina.cn")
    ResellerRelationship.objects.create(customer=direct, provider=cast.provider)
    wide = factories.make_customer("Wide World Importers", "wideworld.partner.onmschina.cn")
    wide_admin = factories.make_user("admin@wideworld.test")
    wide.memberships.create(user=wide_admin)
    ResellerRelationship.objects.create(customer=wide, provider=cast.provider, reseller=tailspin)
    grant_set(
        customer=wide,
        service=services["office365"],
        partner=tailspin,
        provisioning=True,
        support=False,
        by=wide_admin,
    )
    return {"northwind": cast.customer, "direct": direct, "wide": wide, "tailspin": tailspin}


def names(response) -> list[str]:
    return [customer.name for customer in response.context["customers"]]


def test_the_provider_filters_by_reseller(client, cast, book):
    client.force_login(cast.provider_admin)
    assert names(client.get(list_url(cast.provider, f"reseller={cast.reseller.public_id}"))) == [
        "Northwind Traders"
    ]
    assert names(client.get(list_url(cast.provider, "reseller=direct"))) == ["Adventure Works"]
    tailspin = book["tailspin"].public_id
    assert names(client.get(list_url(cast.provider, f"reseller={tailspin}"))) == [
        "Wide World Importers"
    ]


def test_the_provider_filters_by_service_and_status(client, cast, book):
    client.force_login(cast.provider_admin)
    assert names(client.get(list_url(cast.provider, "service=azure"))) == ["Northwind Traders"]
    assert names(client.get(list_url(cast.provider, "status=not_delegated"))) == ["Adventure Works"]
    assert names(client.get(list_url(cast.provider, "status=delegated"))) == [
        "Northwind Traders",
        "Wide World Importers",
    ]
    # filters and the search compose
    assert names(client.get(list_url(cast.provider, "status=delegated&q=wide"))) == [
        "Wide World Importers"
    ]


def test_a_reseller_filters_its_own_customers_and_has_no_reseller_filter(client, cast, book):
    client.force_login(cast.reseller_admin)
    response = client.get(list_url(cast.reseller, "service=office365"))
    assert "reseller" not in response.context["search_form"].fields
    assert names(response) == []  # Office 365 at Wide World is Tailspin's, not Fabrikam's
    assert names(client.get(list_url(cast.reseller, "service=azure"))) == ["Northwind Traders"]


@pytest.mark.parametrize(
    "query",
    ["reseller=NOSUCHRESELLER", "service=no-such-service", "status=everything", "reseller=%00"],
)
def test_a_value_that_is_not_offered_filters_nothing(client, cast, book, query):
    client.force_login(cast.provider_admin)
    response = client.get(list_url(cast.provider, query))
    if query.endswith("%00"):
        assert response.status_code == 400  # NUL bytes are refused at the door
        return
    assert response.status_code == 200
    assert len(names(response)) == 3


def test_another_providers_reseller_cannot_be_used_to_peek(client, cast, book):
    """Litware's staff filtering Litware's list by Contoso's reseller see nothing of Contoso."""
    client.force_login(cast.outsider)
    response = client.get(list_url(cast.other_provider, f"reseller={cast.reseller.public_id}"))
    assert response.status_code == 200
    assert names(response) == []


def test_the_export_has_the_lists_filters_and_names_what_each_may_administer(client, cast, book):
    client.force_login(cast.provider_admin)
    response = client.get(export_url(cast.provider, "status=delegated"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [row["Customer"] for row in rows] == ["Northwind Traders", "Wide World Importers"]
    northwind = rows[0]
    assert northwind["Reseller attached"] == "Fabrikam Solutions"
    assert "Azure operated by 21Vianet: Fabrikam Solutions" in northwind["Delegated admin"]
    everyone = csv_rows(client.get(export_url(cast.provider)))
    assert len(everyone) == 3


def test_the_export_is_refused_to_outsiders_and_roles_without_customers(client, cast, book):
    client.force_login(cast.outsider)
    assert client.get(export_url(cast.provider)).status_code == 404
    client.logout()
    assert client.get(export_url(cast.provider)).status_code == 302  # to the sign-in page


def test_the_list_page_links_the_export_with_its_filters(client, cast, book):
    client.force_login(cast.provider_admin)
    response = client.get(list_url(cast.provider, "service=azure"))
    assert export_url(cast.provider, "service=azure") in response.content.decode()


@pytest.mark.parametrize("who", ["provider", "reseller"])
def test_a_filtered_list_and_its_export_cost_the_same_queries_for_3_and_300_rows(
    client, cast, services, who, django_assert_max_num_queries
):
    partner = getattr(cast, who)
    client.force_login(cast.provider_admin if who == "provider" else cast.reseller_admin)
    query = "service=azure&status=delegated"
    many_customers_for(cast.provider, cast.reseller, services["azure"], 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(list_url(partner, query)).status_code == 200
    with CaptureQueriesContext(connection) as small_export:
        assert len(csv_rows(client.get(export_url(partner, query)))) == 3
    many_customers_for(cast.provider, cast.reseller, services["azure"], 297)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(list_url(partner, query))
    # a filtered list counts up to 250 matches ("More than 250 customers match")
    assert (response.context["count"], response.context["count_is_bound"]) == (250, True)
    with django_assert_max_num_queries(len(small_export.captured_queries)):
        assert len(csv_rows(client.get(export_url(partner, query)))) == 300
