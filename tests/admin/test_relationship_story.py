"""An auditor follows one relationship's whole story in the admin (issue 16, point 5): the
invitation and the forward it came from, who forwarded and who accepted, the grants, and every
audit event across those objects; the audit log's filters take names, and the customer filter
includes the invitation's creation and the forward that reached the customer."""

import pytest
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers.models import ResellerRelationship
from apps.invitations.acceptance import invitation_accept
from apps.invitations.services import delivery_send, invitation_create
from tests import factories


@pytest.fixture
def journey(cast, services, django_capture_on_commit_callbacks):
    """Contoso issues an invitation for Fabrikam asking Azure; Fabrikam forwards it to
    Northwind and to Adventure Works; only Northwind accepts."""
    invitation = invitation_create(
        provider=cast.provider,
        by=cast.provider_agent,
        reseller=cast.reseller,
        requests_dap=True,
        services=[services["azure"]],
        dap_provisioning=True,
        dap_support=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        (to_northwind,) = delivery_send(
            invitation=invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["admin@northwind.test"],
        )
        (to_adventure,) = delivery_send(
            invitation=invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["buyer@adventure.test"],
        )
    invitation_accept(
        invitation=invitation,
        by=cast.customer_admin,
        customer=cast.customer,
        delivery=to_northwind,
    )
    relationship = ResellerRelationship.objects.get(customer=cast.customer)
    return {
        "invitation": invitation,
        "delivery": to_northwind,
        "other_delivery": to_adventure,
        "relationship": relationship,
    }


def relationship_page(client, relationship):
    url = reverse("admin:customers_resellerrelationship_change", args=[relationship.pk])
    return client.get(url)


def test_the_relationship_page_tells_the_whole_story(client, cast, journey, auditor):
    client.force_login(auditor)
    response = relationship_page(client, journey["relationship"])
    assert response.status_code == 200
    page = response.content.decode()
    assert "Whole story" in page
    assert journey["invitation"].public_id in page
    assert "agent@contoso.test" in page  # who created it
    assert "forwarded by" in page and "Fabrikam Solutions" in page
    assert "admin@fabrikam.test" in page  # the forwarder
    assert "admin@northwind.test" in page  # the accepter (and the delivery's recipient)
    assert "Azure operated by 21Vianet" in page  # the grant
    for action in (
        "invitation.created",
        "invitation.forwarded",
        "invitation.accepted",
        "relationship.created",
        "grant.created",
    ):
        assert f"<code>{action}</code>" in page, action
    # the forward to another customer is not part of Northwind's story
    assert "buyer@adventure.test" not in page


def test_the_story_costs_a_fixed_number_of_queries(
    client, cast, journey, auditor, django_assert_max_num_queries
):
    client.force_login(auditor)
    relationship_page(client, journey["relationship"])  # warm up
    with django_assert_max_num_queries(40):
        assert relationship_page(client, journey["relationship"]).status_code == 200


def changelist_actions(client, **params) -> list[str]:
    response = client.get(reverse("admin:audit_auditevent_changelist"), params)
    assert response.status_code == 200
    return [event.action for event in response.context["cl"].result_list]


def test_the_customer_filter_takes_a_name_and_includes_the_invitations_story(client, cast, journey):
    client.force_login(cast.staff)
    actions = changelist_actions(client, customer="Northwind")
    assert "invitation.created" in actions
    assert "invitation.forwarded" in actions
    assert "invitation.accepted" in actions
    assert "grant.created" in actions
    # one forward reached Northwind, the other went to someone else
    forwards = AuditEvent.objects.filter(action="invitation.forwarded")
    assert forwards.count() == 2
    assert actions.count("invitation.forwarded") == 1
    # by public ID the same
    assert sorted(changelist_actions(client, customer=cast.customer.public_id)) == sorted(actions)


def test_the_partner_filters_and_the_search_take_names(client, cast, journey):
    client.force_login(cast.staff)
    assert "invitation.created" in changelist_actions(client, partner="Contoso")
    assert set(changelist_actions(client, acting_partner="fabrikam")) == {"invitation.forwarded"}
    assert "invitation.accepted" in changelist_actions(client, q="Northwind")
    # a name nobody has finds nothing, and a one-letter name is not a search
    assert changelist_actions(client, customer="Nobody Such") == []
    assert changelist_actions(client, partner="C") == []


def test_a_name_shared_by_several_customers_finds_each(client, cast, journey):
    other = factories.make_customer("Northwind Logistics", "nwlogistics.partner.onmschina.cn")
    from django.db import transaction

    from apps.audit.services import audit_record

    with transaction.atomic():
        audit_record(
            action="customer.changed",
            actor=cast.staff,
            target=other,
            customer=other,
        )
    client.force_login(cast.staff)
    actions = changelist_actions(client, customer="northwind")
    assert "customer.changed" in actions and "invitation.accepted" in actions
