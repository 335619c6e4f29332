"""The organization switcher's queries run once per request (issue 18).

The header's switcher and the dashboard both list the user's organizations; before, the
dashboard ran each provider's query twice.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.organizations import organizations_for, organizations_for_request
from apps.partners.models import Role

from .. import factories


def _membership_queries(captured) -> list[str]:
    """The switcher's partner query: all of a user's memberships, by partner name (the
    page's own access check asks for one partner's membership and is not counted)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if 'FROM "partners_partnermembership"' in q["sql"]
        and 'ORDER BY "partners_partner"."name"' in q["sql"]
    ]


@pytest.fixture
def two_org_user(cast):
    factories.make_member(cast.reseller, Role.HELPDESK_AGENT, user=cast.provider_sales)
    return cast.provider_sales


def test_the_dashboard_asks_for_the_organizations_once(cast, client, two_org_user):
    client.force_login(two_org_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    body = response.content.decode()
    assert cast.reseller.name in body and cast.provider.name in body
    # the switcher's membership query: once for the view and the header together
    assert len(_membership_queries(captured)) == 1


def test_the_dashboard_costs_fewer_queries_than_asking_twice(
    client, two_org_user, django_assert_max_num_queries
):
    client.force_login(two_org_user)
    # session, user, unread notifications and the two providers' queries, once each: 5
    # (it was 7 when the header asked the providers again)
    with django_assert_max_num_queries(5):
        assert client.get(reverse("dashboard")).status_code == 200


def test_a_page_with_the_switcher_runs_its_queries_once(cast, client, two_org_user):
    client.force_login(two_org_user)
    url = reverse("partners:home", kwargs={"partner_id": cast.provider.public_id})
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assert len(_membership_queries(captured)) == 1


def test_the_request_cache_follows_the_user(cast, rf, two_org_user):
    request = rf.get("/")
    request.user = two_org_user
    first = organizations_for_request(request)
    assert first == organizations_for(two_org_user)
    assert organizations_for_request(request) is first
    # a sign-in as someone else inside the same request is not served the first user's list
    request.user = cast.reseller_admin
    assert organizations_for_request(request) == organizations_for(cast.reseller_admin)
    assert organizations_for_request(request) != first


def test_an_anonymous_request_has_no_organizations(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    assert organizations_for_request(request) == []
    request.user = AnonymousUser()
    assert organizations_for_request(request) == []
