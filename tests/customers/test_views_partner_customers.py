import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship, Subscription
from apps.customers.selectors import partner_customers
from apps.customers.services import customer_access_refresh, grant_set
from tests import factories

from .builders import many_customers_for


def list_url(partner):
    return reverse("customers:partner_customers", kwargs={"partner_id": partner.public_id})


def detail_url(partner, customer):
    return reverse(
        "customers:partner_customer",
        kwargs={"partner_id": partner.public_id, "customer_id": customer.public_id},
    )


def end_url(partner, relationship):
    return reverse(
        "customers:relationship_end",
        kwargs={
            "partner_id": partner.public_id,
            "customer_id": relationship.customer.public_id,
            "relationship_id": relationship.pk,
        },
    )


def give(cast, services, partner, code):
    return grant_set(
        customer=cast.customer,
        service=services[code],
        partner=partner,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    ).grant


@pytest.fixture
def subscriptions(cast, services):
    """Northwind: Office 365 bought from the operator, Azure through CSP from Contoso."""
    return [
        Subscription.objects.create(
            customer=cast.customer,
            service=services["office365"],
            external_id="O365-1",
            purchase_channel=Subscription.Channel.OPERATOR_DIRECT,
            seats=40,
        ),
        Subscription.objects.create(
            customer=cast.customer,
            service=services["azure"],
            external_id="AZ-1",
            purchase_channel=Subscription.Channel.CSP,
            partner_of_record=cast.provider,
        ),
        Subscription.objects.create(
            customer=cast.customer,
            service=services["powerbi"],
            external_id="PBI-1",
            purchase_channel=Subscription.Channel.ADVISOR,
        ),
    ]


# ------------------------------------------------------------------------------
# Lists
# ------------------------------------------------------------------------------
def test_the_provider_sees_its_customers_with_the_reseller_and_what_it_administers(
    client, cast, services, relationship
):
    give(cast, services, cast.reseller, "office365")
    client.force_login(cast.provider_helpdesk)
    response = client.get(list_url(cast.provider))
    assert response.status_code == 200
    [customer] = response.context["customers"]
    assert customer == cast.customer
    assert [r.reseller for r in customer.partner_relationships] == [cast.reseller]
    assert [g.service.code for g in customer.partner_grants] == ["office365"]
    html = response.content.decode()
    assert "Fabrikam Solutions" in html and "Office 365" in html


def test_the_reseller_sees_customers_it_came_through_or_administers(
    client, cast, services, relationship, tailspin
):
    # Northwind came through Fabrikam; it gave Tailspin delegated admin for Azure
    give(cast, services, tailspin, "azure")
    tailspin_admin = tailspin.memberships.get().user
    client.force_login(tailspin_admin)
    response = client.get(list_url(tailspin))
    [customer] = response.context["customers"]
    assert customer.partner_relationships == []
    assert [g.partner for g in customer.partner_grants] == [tailspin]
    client.force_login(cast.reseller_admin)
    response = client.get(list_url(cast.reseller))
    [customer] = response.context["customers"]
    assert customer.partner_grants == []  # Fabrikam sees only its own grants
    assert [r.provider for r in customer.partner_relationships] == [cast.provider]


def test_other_partners_do_not_see_the_customer(client, cast, relationship):
    client.force_login(cast.outsider)
    response = client.get(list_url(cast.other_provider))
    assert list(response.context["customers"]) == []
    assert "No customers yet" in response.content.decode()


def test_the_list_can_be_searched(client, cast, services, relationship):
    other = factories.make_customer("Adventure Works", "adventure.partner.onmschina.cn")
    ResellerRelationship.objects.create(customer=other, provider=cast.provider)
    customer_access_refresh(customer_ids=[other.pk])
    client.force_login(cast.provider_admin)
    response = client.get(list_url(cast.provider) + "?q=advent")
    assert list(response.context["customers"]) == [other]
    response = client.get(list_url(cast.provider) + f"?q={cast.customer.public_id}")
    assert list(response.context["customers"]) == [cast.customer]


@pytest.mark.parametrize("who", ["provider", "reseller"])
def test_the_customer_lists_cost_the_same_queries_for_3_and_300_rows(
    client, cast, services, who, django_assert_max_num_queries
):
    partner = getattr(cast, who)
    client.force_login(cast.provider_admin if who == "provider" else cast.reseller_admin)
    many_customers_for(cast.provider, cast.reseller, services["azure"], 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(list_url(partner)).status_code == 200
    many_customers_for(cast.provider, cast.reseller, services["office365"], 297)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(list_url(partner))
    assert response.context["count"] == 300
    assert len(response.context["customers"]) == 25


# ------------------------------------------------------------------------------
# Detail
# ------------------------------------------------------------------------------
def test_the_detail_shows_subscriptions_of_the_services_the_partner_may_administer(
    client, cast, services, relationship, subscriptions
):
    give(cast, services, cast.reseller, "office365")
    give(cast, services, cast.provider, "azure")
    client.force_login(cast.reseller_admin)
    response = client.get(detail_url(cast.reseller, cast.customer))
    assert response.status_code == 200
    shown = [s.external_id for s in response.context["subscriptions_page"]]
    assert shown == ["O365-1"]  # not Azure (Contoso's) nor Power BI (nobody's)
    html = response.content.decode()
    assert "Operator direct" in html
    assert (
        "https://portal.partner.microsoftonline.cn/?tenant=northwind.partner.onmschina.cn" in html
    )
    assert "End relationship" not in html

    client.force_login(cast.provider_admin)
    response = client.get(detail_url(cast.provider, cast.customer))
    shown = [s.external_id for s in response.context["subscriptions_page"]]
    assert shown == ["O365-1", "AZ-1"]  # its own and its reseller's services
    html = response.content.decode()
    assert "Contoso Distribution" in html  # partner of record of AZ-1
    assert "End relationship" in html


def test_helpdesk_agents_see_the_customer_read_only(client, cast, services, relationship):
    client.force_login(cast.provider_helpdesk)
    response = client.get(detail_url(cast.provider, cast.customer))
    assert response.status_code == 200
    assert "End relationship" not in response.content.decode()
    assert (
        client.post(
            end_url(cast.provider, relationship), {"reason": "x", "confirm": "yes"}
        ).status_code
        == 403
    )
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_a_customer_the_partner_does_not_work_with_is_404(client, cast, relationship):
    client.force_login(cast.outsider)
    assert client.get(detail_url(cast.other_provider, cast.customer)).status_code == 404
    assert client.get(detail_url(cast.other_provider, factories.make_customer())).status_code == 404


# ------------------------------------------------------------------------------
# Ending a relationship
# ------------------------------------------------------------------------------
def test_the_provider_ends_a_relationship_and_its_delegated_admin_ends_too(
    client, cast, services, relationship, subscriptions, django_capture_on_commit_callbacks
):
    grant = give(cast, services, cast.reseller, "office365")
    client.force_login(cast.provider_agent)
    page = client.get(end_url(cast.provider, relationship))
    assert "Fabrikam Solutions loses delegated admin for Office 365" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            end_url(cast.provider, relationship), {"reason": "Contract over", "confirm": "yes"}
        )
    assert response.status_code == 302
    relationship.refresh_from_db()
    grant.refresh_from_db()
    assert relationship.state == "ended" and relationship.ended_by == cast.provider_agent
    assert grant.revoke_reason == DelegatedAdminGrant.RevokeReason.RELATIONSHIP_ENDED
    assert Subscription.objects.get(external_id="AZ-1").partner_of_record == cast.provider


def test_ending_needs_a_reason(client, cast, relationship):
    client.force_login(cast.provider_admin)
    response = client.post(end_url(cast.provider, relationship), {"reason": " ", "confirm": "yes"})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_a_reseller_cannot_end_a_relationship_it_is_attached_to(client, cast, relationship):
    client.force_login(cast.reseller_admin)
    response = client.post(
        end_url(cast.reseller, relationship), {"reason": "Leaving", "confirm": "yes"}
    )
    assert response.status_code == 403
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_a_provider_cannot_end_another_providers_relationship(client, cast, relationship):
    client.force_login(cast.outsider)
    response = client.post(
        end_url(cast.other_provider, relationship), {"reason": "Mine now", "confirm": "yes"}
    )
    assert response.status_code == 404
    relationship.refresh_from_db()
    assert relationship.state == "active"


def test_ending_an_ended_relationship_says_so(client, cast, relationship):
    client.force_login(cast.provider_admin)
    client.post(end_url(cast.provider, relationship), {"reason": "Done", "confirm": "yes"})
    response = client.post(
        end_url(cast.provider, relationship), {"reason": "Again", "confirm": "yes"}, follow=True
    )
    assert "already ended" in response.content.decode()
    response = client.get(end_url(cast.provider, relationship), follow=True)
    assert "already ended" in response.content.decode()
    relationship.refresh_from_db()
    assert relationship.end_reason == "Done"


def test_after_ending_the_last_relationship_the_provider_lands_on_a_page_that_exists(
    client, cast, relationship
):
    """Issue 15 defect 7: the customer's page answers 404 once the relationship ended."""
    client.force_login(cast.provider_admin)
    response = client.post(
        end_url(cast.provider, relationship), {"reason": "Done", "confirm": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == list_url(cast.provider)
    assert "was ended" in response.content.decode()
    again = client.get(end_url(cast.provider, relationship), follow=True)
    assert again.status_code == 200 and "already ended" in again.content.decode()


def test_the_customer_list_pages_by_cursor_to_the_last_customer(client, cast, services):
    """Next walks every customer once, by name; Last and Previous come back; the count is
    the whole list's, and a search says how many match."""
    many_customers_for(cast.provider, cast.reseller, services["azure"], 60)
    client.force_login(cast.provider_admin)
    seen, params = [], {}
    while True:
        response = client.get(list_url(cast.provider), params)
        page = response.context["page_obj"]
        seen.extend(c.pk for c in response.context["customers"])
        html = response.content.decode()
        if not page.has_next:
            break
        assert f"after={page.next_cursor}" in html and "before=end" in html
        params = {"after": page.next_cursor}
    expected = list(
        partner_customers(cast.provider).order_by("name", "pk").values_list("pk", flat=True)
    )
    assert seen == expected and len(seen) == response.context["count"]
    last = client.get(list_url(cast.provider), {"before": "end"}).context
    assert [c.pk for c in last["customers"]] == expected[-25:]
    html = client.get(list_url(cast.provider), {"before": "end"}).content.decode()
    assert f"before={last['page_obj'].previous_cursor}" in html
    assert f"{len(expected)} customers, by name." in html


def test_a_searched_customer_list_says_how_many_match(client, cast, services, monkeypatch):
    customers = many_customers_for(cast.provider, cast.reseller, services["azure"], 3)
    client.force_login(cast.provider_admin)
    response = client.get(list_url(cast.provider), {"q": customers[0].tenant_domain})
    assert "1 customer matches." in response.content.decode()
    # more matches than the count's bound (250, here 2): it says so instead of counting on
    from apps.core import pagination

    monkeypatch.setattr(pagination.bounded_count, "__defaults__", (2,))
    html = client.get(list_url(cast.provider), {"q": "."}).content.decode()
    assert "More than 2 customers match." in html


def test_a_cursor_past_the_last_customer_says_so_and_links_back(client, cast, services):
    from apps.core.pagination import encode_cursor

    customers = many_customers_for(cast.provider, cast.reseller, services["azure"], 3)
    last = max(customers, key=lambda c: (c.name, c.pk))
    client.force_login(cast.provider_admin)
    after = encode_cursor(last, ("name", "pk"))
    html = client.get(list_url(cast.provider), {"after": after, "q": ""}).content.decode()
    assert "There are no more customers past this point." in html
    assert 'href="?q="' in html
