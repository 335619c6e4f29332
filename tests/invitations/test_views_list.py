from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.customers.models import ResellerRelationship, Service
from apps.invitations.models import Acceptance, Delivery, Invitation
from apps.partners.models import ResellerPartnership
from tests import factories

from .builders import make_delivery, make_invitation


def list_url(partner, **query):
    url = reverse("invitations:list", kwargs={"partner_id": partner.public_id})
    if query:
        url += "?" + urlencode(query)
    return url


def listed(response):
    return {i.public_id for i in response.context["invitations"]}


def test_a_provider_sees_what_it_issued_and_nothing_else(cast, client, own_invitation):
    for_reseller = make_invitation(cast.provider, cast.reseller)
    make_invitation(cast.other_provider)
    client.force_login(cast.provider_sales)
    response = client.get(list_url(cast.provider))
    assert response.status_code == 200
    assert listed(response) == {own_invitation.public_id, for_reseller.public_id}
    assert "New invitation" in response.content.decode()


def test_a_reseller_sees_only_what_its_active_providers_issued_for_it(cast, client, own_invitation):
    mine = make_invitation(cast.provider, cast.reseller)
    tailspin = factories.make_reseller("Tailspin")
    factories.make_partnership(cast.provider, tailspin)
    make_invitation(cast.provider, tailspin)
    # a second provider whose partnership with Fabrikam is suspended
    factories.make_partnership(
        cast.other_provider, cast.reseller, state=ResellerPartnership.State.SUSPENDED
    )
    make_invitation(cast.other_provider, cast.reseller)
    client.force_login(cast.reseller_admin)
    response = client.get(list_url(cast.reseller))
    assert listed(response) == {mine.public_id}
    body = response.content.decode()
    assert "New invitation" not in body
    assert reverse("invitations:create", kwargs={"partner_id": cast.reseller.public_id}) not in body


@pytest.mark.parametrize(
    "state", [ResellerPartnership.State.SUSPENDED, ResellerPartnership.State.ENDED]
)
def test_a_reseller_sees_nothing_once_the_partnership_is_not_active(cast, client, state):
    make_invitation(cast.provider, cast.reseller)
    ResellerPartnership.objects.filter(provider=cast.provider).update(state=state)
    client.force_login(cast.reseller_admin)
    response = client.get(list_url(cast.reseller))
    assert listed(response) == set()


def test_the_status_filter_uses_the_derived_status(cast, client):
    active = make_invitation(cast.provider)
    expired = make_invitation(cast.provider, expires_at=timezone.now() - timedelta(days=1))
    used = make_invitation(cast.provider, max_uses=1, use_count=1)
    revoked = make_invitation(
        cast.provider, status=Invitation.Status.REVOKED, revoked_at=timezone.now()
    )
    client.force_login(cast.provider_admin)
    for status, invitation in [
        ("active", active),
        ("expired", expired),
        ("used", used),
        ("revoked", revoked),
    ]:
        assert listed(client.get(list_url(cast.provider, status=status))) == {invitation.public_id}


def test_filters_by_reseller_kind_and_search(cast, client, own_invitation):
    for_reseller = make_invitation(cast.provider, cast.reseller, message="Spring campaign")
    personal = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="cfo@northwind.test"
    )
    make_delivery(own_invitation, email="buyer@adatum.test")
    client.force_login(cast.provider_admin)
    assert listed(client.get(list_url(cast.provider, reseller=cast.reseller.public_id))) == {
        for_reseller.public_id
    }
    assert listed(client.get(list_url(cast.provider, reseller="none"))) == {
        own_invitation.public_id,
        personal.public_id,
    }
    assert listed(client.get(list_url(cast.provider, kind="personal"))) == {personal.public_id}
    assert listed(client.get(list_url(cast.provider, q="spring"))) == {for_reseller.public_id}
    assert listed(client.get(list_url(cast.provider, q="cfo@"))) == {personal.public_id}
    assert listed(client.get(list_url(cast.provider, q="adatum"))) == {own_invitation.public_id}
    assert listed(client.get(list_url(cast.provider, q=personal.public_id))) == {personal.public_id}


def test_unknown_filter_values_are_ignored_not_errors(cast, client, own_invitation):
    client.force_login(cast.provider_admin)
    response = client.get(list_url(cast.provider, status="bogus", kind="x", reseller="PNOPE"))
    assert response.status_code == 200


def test_a_page_number_out_of_range_shows_the_last_page_not_a_500(cast, client):
    # Every paginated page bounds its page number the same way (apps.core.pagination).
    client.force_login(cast.provider_admin)
    assert client.get(list_url(cast.provider, page="99")).status_code == 200
    assert client.get(list_url(cast.provider, page="abc")).status_code == 200
    huge = list_url(cast.provider, page="99999999999999999999999")
    assert client.get(huge).status_code == 200


def test_the_list_shows_the_funnel_counts(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    opened = make_delivery(invitation, sent_at=timezone.now(), first_opened_at=timezone.now())
    make_delivery(invitation, cast.reseller, email="b@x.test", sent_at=timezone.now())
    relationship = ResellerRelationship.objects.create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    Acceptance.objects.create(
        invitation=invitation,
        delivery=opened,
        customer=cast.customer,
        relationship=relationship,
        outcome=Acceptance.Outcome.ACCEPTED,
    )
    client.force_login(cast.provider_admin)
    row = client.get(list_url(cast.provider)).context["invitations"][0]
    assert (row.sent_count, row.opened_count, row.accepted_count) == (2, 1, 1)
    # the reseller counts only its own forwards, and every acceptance (the customer who
    # accepted through the provider's email is attached to the reseller: issue 16, point 7)
    client.force_login(cast.reseller_admin)
    row = client.get(list_url(cast.reseller)).context["invitations"][0]
    assert (row.sent_count, row.opened_count, row.accepted_count) == (1, 1, 1)


def _bulk_invitations(cast, n):
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(
                provider=cast.provider,
                reseller=cast.reseller if i % 2 else None,
                expires_at=now + timedelta(days=10),
                requests_dap=True,
                dap_support=True,
                created_by=cast.provider_admin,
            )
            for i in range(n)
        ]
    )
    service = Service.objects.first()
    Invitation.services.through.objects.bulk_create(
        [
            Invitation.services.through(invitation_id=inv.pk, service_id=service.pk)
            for inv in invitations
        ]
    )
    Delivery.objects.bulk_create(
        [
            Delivery(invitation=inv, email=f"c{inv.pk}@x.test", sent_by_partner=cast.reseller)
            for inv in invitations
            if inv.reseller_id
        ]
    )


@pytest.mark.parametrize("who", ["provider", "reseller"])
def test_the_list_costs_the_same_queries_for_3_and_300_rows(
    cast, client, services, django_assert_max_num_queries, settings, who
):
    settings.PORTAL_PAGE_SIZE = 500  # every row on one page: the worst case
    user, partner = (
        (cast.provider_admin, cast.provider)
        if who == "provider"
        else (cast.reseller_admin, cast.reseller)
    )
    client.force_login(user)
    _bulk_invitations(cast, 3)
    client.get(list_url(partner))  # warm up the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(list_url(partner)).status_code == 200
    _bulk_invitations(cast, 297)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(list_url(partner))
    assert len(response.context["invitations"]) == Invitation.objects.visible_to(partner).count()
    assert len(response.context["invitations"]) > 100


def test_a_cursor_past_the_oldest_invitation_says_so_and_links_back(cast, client):
    from apps.core.pagination import encode_cursor
    from apps.invitations.selectors import INVITATION_LIST_ORDER

    oldest = make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.provider_admin)
    response = client.get(
        list_url(cast.provider), {"after": encode_cursor(oldest, INVITATION_LIST_ORDER)}
    )
    assert "There are no invitations this far back." in response.content.decode()
