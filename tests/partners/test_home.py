"""Issue 16, point 2: role-aware home pages. The main task first ("Create customer invitation"
for providers), counts and pending work (links nearing expiry, failed emails, partnership and
link requests), a fixed number of queries whatever the size, and a user with one organization
lands directly on it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.invitations.models import Delivery, Invitation, LinkRequest
from apps.partners.models import ResellerPartnership, Role
from tests import factories
from tests.invitations.builders import make_delivery, make_invitation


def home(partner):
    return reverse("partners:home", args=[partner.public_id])


def test_a_provider_sees_create_customer_invitation_first(cast, client):
    client.force_login(cast.provider_sales)
    response = client.get(home(cast.provider))
    actions = response.context["home"].actions
    assert actions[0].label == "Create customer invitation"
    assert actions[0].primary
    assert actions[0].url == reverse("invitations:create", args=[cast.provider.public_id])
    html = response.content.decode()
    assert html.index("Create customer invitation") < html.index("Waiting for you")


def test_a_helpdesk_agent_is_not_offered_invitations(cast, client):
    client.force_login(cast.provider_helpdesk)
    home_ = client.get(home(cast.provider)).context["home"]
    labels = [a.label for a in home_.actions] + [c.label for c in home_.counts]
    assert "Create customer invitation" not in labels
    assert "Active invitation links" not in labels
    assert "Customers you serve" in labels  # helpdesk agents do see customers


def test_the_provider_home_counts_and_lists_pending_work(cast, client):
    soon = make_invitation(cast.provider, cast.reseller)
    Invitation.objects.filter(pk=soon.pk).update(expires_at=timezone.now() + timedelta(days=2))
    later = make_invitation(cast.provider)
    make_delivery(later, email="a@x.test", send_attempts=2, last_error="down")  # failed
    make_delivery(later, email="b@x.test", sent_at=timezone.now())
    LinkRequest.objects.create(provider=cast.provider, reseller=cast.reseller, message="Northwind")
    factories.make_partnership(
        cast.provider, factories.make_reseller("Tailspin"), state=ResellerPartnership.State.INVITED
    )
    client.force_login(cast.provider_admin)
    section = client.get(home(cast.provider)).context["home"]
    counts = {c.label: c.value for c in section.counts}
    assert counts["Active invitation links"] == 2
    assert counts["Active resellers"] == 1
    pending = {p.text: p.count for p in section.pending}
    assert pending["1 invitation link expires within 7 days"] == 1
    assert pending["1 invitation email was not delivered: retry it on the invitation"] == 1
    assert pending["A reseller asked you for an invitation link"] == 1
    assert pending["Reseller invitations awaiting an answer"] == 1


def test_the_reseller_home_offers_forwarding_and_asking_for_a_link(cast, client):
    make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.reseller_admin)
    section = client.get(home(cast.reseller)).context["home"]
    assert [a.label for a in section.actions][:2] == [
        "Forward an invitation",
        "Request a link from a provider",
    ]
    counts = {c.label: c.value for c in section.counts}
    assert counts["Invitations to forward"] == 1
    assert counts["Active providers"] == 1
    pending = [p.text for p in section.pending]
    assert "1 invitation issued for you in the last 7 days, not forwarded yet" in pending


def test_nothing_waiting_says_so(cast, client):
    client.force_login(cast.provider_admin)
    assert "Nothing is waiting for you." in client.get(home(cast.provider)).content.decode()


def _grow(cast, n):
    for i in range(n):
        reseller = factories.make_reseller()
        factories.make_partnership(cast.provider, reseller)
        invitation = make_invitation(cast.provider, reseller)
        Delivery.objects.create(
            invitation=invitation,
            email=f"r{i}@x.test",
            sent_by_partner=cast.provider,
            send_attempts=1,
        )
        LinkRequest.objects.create(provider=cast.provider, reseller=reseller, message="x")


@pytest.mark.parametrize("who", ["provider_admin", "reseller_admin"])
def test_the_home_page_costs_the_same_queries_at_two_sizes(
    cast, client, who, django_assert_max_num_queries
):
    user = getattr(cast, who)
    partner = cast.provider if who == "provider_admin" else cast.reseller
    client.force_login(user)
    _grow(cast, 2)
    with django_assert_max_num_queries(25) as small:
        assert client.get(home(partner)).status_code == 200
    _grow(cast, 30)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(home(partner)).status_code == 200


def test_a_user_with_one_organization_lands_on_it(cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302
    assert response["Location"] == home(cast.provider)


def test_a_user_with_several_organizations_chooses_on_the_dashboard(cast, client):
    factories.make_member(cast.reseller, Role.HELPDESK_AGENT, user=cast.provider_sales)
    client.force_login(cast.provider_sales)
    response = client.get(reverse("dashboard"))
    assert response.status_code == 200
    assert home(cast.reseller) in response.content.decode()


def test_the_customer_admin_lands_on_the_customer(cast, client):
    client.force_login(cast.customer_admin)
    response = client.get(reverse("dashboard"))
    assert response["Location"] == reverse("customers:home", args=[cast.customer.public_id])


def test_operator_staff_keep_the_dashboard(cast, client):
    client.force_login(cast.staff)
    assert client.get(reverse("dashboard")).status_code == 200


def test_the_customer_home_counts_partners_and_delegated_services(cast, client, services):
    from apps.customers.services import grant_set, relationship_get_or_create

    relationship, _ = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    grant_set(
        customer=cast.customer,
        service=services["azure"],
        partner=cast.reseller,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
        relationship=relationship,
        notify=False,
    )
    client.force_login(cast.customer_admin)
    response = client.get(reverse("customers:home", args=[cast.customer.public_id]))
    assert (response.context["partner_count"], response.context["delegated_count"]) == (1, 1)
    assert "Services a partner administers" in response.content.decode()
