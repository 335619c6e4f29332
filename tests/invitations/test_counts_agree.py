"""Issue 16, point 7: the counts agree. An invitation never shows more acceptances than
openings, the list and the detail page say the same, and a reseller's invitation page lists
the customer its Customers tab lists."""

from django.urls import reverse
from django.utils import timezone

from apps.customers.models import ResellerRelationship
from apps.invitations.models import Acceptance
from tests import factories

from .builders import make_delivery, make_invitation


def _accept(invitation, delivery, customer):
    relationship = ResellerRelationship.objects.create(
        customer=customer, provider=invitation.provider, reseller=invitation.reseller
    )
    return Acceptance.objects.create(
        invitation=invitation,
        delivery=delivery,
        customer=customer,
        relationship=relationship,
        outcome=Acceptance.Outcome.ACCEPTED,
    )


def _list_row(client, partner):
    return client.get(reverse("invitations:list", args=[partner.public_id])).context["invitations"][
        0
    ]


def _funnel_totals(client, partner, invitation):
    response = client.get(
        reverse("invitations:detail", args=[partner.public_id, invitation.public_id])
    )
    rows = response.context["funnel"]
    return sum(r.sent for r in rows), sum(r.opened for r in rows), sum(r.accepted for r in rows)


def test_an_answer_through_the_copied_link_counts_as_opened(cast, client):
    # the reported case: three emails sent, none opened, one customer accepted via the link
    invitation = make_invitation(cast.provider, cast.reseller)
    for n in range(3):
        make_delivery(invitation, email=f"c{n}@x.test", sent_at=timezone.now())
    _accept(invitation, None, cast.customer)
    client.force_login(cast.provider_admin)
    row = _list_row(client, cast.provider)
    assert (row.sent_count, row.opened_count, row.accepted_count) == (3, 1, 1)
    assert _funnel_totals(client, cast.provider, invitation) == (3, 1, 1)


def test_an_answered_delivery_counts_as_opened_even_without_an_open_stamp(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    delivery = make_delivery(invitation, sent_at=timezone.now())  # first_opened_at unset
    _accept(invitation, delivery, cast.customer)
    client.force_login(cast.provider_admin)
    row = _list_row(client, cast.provider)
    assert row.opened_count >= row.accepted_count == 1
    assert _funnel_totals(client, cast.provider, invitation) == (1, 1, 1)


def test_the_reseller_sees_the_customer_that_accepted_through_the_providers_email(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    provider_email = make_delivery(invitation, email="buyer@northwind.test", sent_at=timezone.now())
    _accept(invitation, provider_email, cast.customer)
    client.force_login(cast.reseller_admin)

    customers = client.get(reverse("customers:partner_customers", args=[cast.reseller.public_id]))
    assert "Northwind Traders" in customers.content.decode()
    detail = client.get(
        reverse("invitations:detail", args=[cast.reseller.public_id, invitation.public_id])
    )
    html = detail.content.decode()
    assert "No customer has answered" not in html
    assert "Northwind Traders" in html
    # the provider's recipient stays the provider's: the reseller sees who, not the address
    assert "buyer@northwind.test" not in html
    funnel = {row.label: row for row in detail.context["funnel"]}
    assert funnel["Emails sent by Contoso Distribution"].accepted == 1
    row = _list_row(client, cast.reseller)
    assert (row.sent_count, row.opened_count, row.accepted_count) == (0, 1, 1)


def test_a_decline_through_the_providers_email_stays_hidden_from_the_reseller(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    delivery = make_delivery(invitation, sent_at=timezone.now())
    Acceptance.objects.create(
        invitation=invitation,
        delivery=delivery,
        customer=factories.make_customer(),
        outcome=Acceptance.Outcome.DECLINED,
    )
    client.force_login(cast.reseller_admin)
    detail = client.get(
        reverse("invitations:detail", args=[cast.reseller.public_id, invitation.public_id])
    )
    assert len(detail.context["acceptances"]) == 0
