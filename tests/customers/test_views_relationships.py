import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.customers.models import DelegatedAdminGrant, Subscription
from apps.customers.services import grant_remove, grant_set, relationship_end
from tests import factories

from .builders import many_relationships_for_customer


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.customer_admin)
    return client


@pytest.fixture
def tailspin(tailspin, cast):
    """Tailspin, attached to a relationship of Northwind: a partner the customer works with."""
    from apps.customers.services import relationship_get_or_create

    relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=tailspin, by=None
    )
    return tailspin


def url(cast, name="customers:relationships", **kwargs):
    return reverse(name, kwargs={"customer_id": cast.customer.public_id, **kwargs})


def give(cast, services, partner, code="office365"):
    return grant_set(
        customer=cast.customer,
        service=services[code],
        partner=partner,
        provisioning=True,
        support=True,
        by=cast.customer_admin,
    ).grant


# ------------------------------------------------------------------------------
# The Partner relationships page
# ------------------------------------------------------------------------------
def test_it_shows_who_holds_delegated_admin_per_service_and_every_relationship(
    admin_client, cast, services, relationship
):
    give(cast, services, cast.reseller)
    Subscription.objects.create(
        customer=cast.customer,
        service=services["azure"],
        external_id="AZ-1",
        purchase_channel=Subscription.Channel.CSP,
        partner_of_record=cast.other_provider,
        seats=3,
    )
    response = admin_client.get(url(cast))
    assert response.status_code == 200
    rows = {row.service.code: row for row in response.context["service_rows"]}
    assert rows["office365"].grant.partner == cast.reseller
    assert rows["azure"].grant is None
    assert [p for p, *_rest in rows["azure"].subscriptions if p] == [cast.other_provider]
    html = response.content.decode()
    assert "Fabrikam Solutions" in html and "Litware Distribution" in html
    assert "provisioning, support" in html
    assert [r.provider for r in response.context["relationships_page"]] == [cast.provider]
    assert html.count("<h1") == 1


def test_ended_relationships_are_listed_after_active_ones(
    admin_client, cast, services, relationship
):
    relationship_end(relationship=relationship, by=cast.provider_admin, reason="Moved on")
    from apps.customers.services import relationship_get_or_create

    active, _ = relationship_get_or_create(customer=cast.customer, provider=cast.other_provider)
    response = admin_client.get(url(cast))
    assert list(response.context["relationships_page"]) == [active, relationship]
    assert "Moved on" in response.content.decode()


def test_another_customers_admin_gets_404(client, cast):
    other_admin = factories.make_user("admin@other.test")
    factories.make_customer("Other", "other.partner.onmschina.cn", admin=other_admin)
    client.force_login(other_admin)
    assert client.get(url(cast)).status_code == 404


def test_the_relationships_page_costs_the_same_queries_for_3_and_300_rows(
    admin_client, cast, services, django_assert_max_num_queries
):
    many_relationships_for_customer(cast.customer, 3)
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(url(cast)).status_code == 200
    many_relationships_for_customer(cast.customer, 297)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = admin_client.get(url(cast))
    assert response.status_code == 200
    assert len(response.context["service_rows"]) == 25  # one page
    assert response.context["relationships_page"].paginator.count == 300


# ------------------------------------------------------------------------------
# Give or move delegated admin (with a confirmation step)
# ------------------------------------------------------------------------------
def test_the_form_offers_the_partners_the_customer_works_with_only(
    admin_client, cast, services, relationship, tailspin
):
    response = admin_client.get(url(cast, "customers:grant_set") + "?service=azure")
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.fields["partner"].queryset) == {cast.provider, cast.reseller, tailspin}
    assert form.initial["service"] == "azure"


def test_no_page_shows_the_customer_its_providers_reseller_roster(
    admin_client, cast, services, relationship
):
    """A reseller of Contoso that Northwind does not work with never appears on a customer
    page, and a hand-made POST naming it is refused (it needs a delegated admin request)."""
    roster = factories.make_reseller("Wingtip Toys Resellers")
    factories.make_partnership(cast.provider, roster)
    for name in ("customers:home", "customers:relationships", "customers:grant_set"):
        page = admin_client.get(url(cast, name)).content.decode()
        assert "Wingtip" not in page and roster.public_id not in page, name
    page = admin_client.get(url(cast, "customers:dap_request_create")).content.decode()
    assert "Wingtip" not in page and roster.public_id not in page
    response = post_grant(admin_client, cast, roster, confirm="yes", expected_holder="none")
    assert "partner" in response.context["form"].errors
    assert not DelegatedAdminGrant.objects.exists()


def post_grant(client, cast, partner, service="office365", **extra):
    data = {"service": service, "partner": partner.public_id, "provisioning": "on", **extra}
    return client.post(url(cast, "customers:grant_set"), data)


def test_moving_shows_what_changes_before_anything_happens(
    admin_client, cast, services, relationship, tailspin
):
    old = give(cast, services, cast.reseller)
    response = post_grant(admin_client, cast, tailspin)
    assert response.status_code == 200
    assert response.templates[0].name == "customers/grant_confirm.html"
    html = response.content.decode()
    assert "Fabrikam Solutions loses delegated admin for Office 365" in html
    assert "Tailspin Cloud Services receives delegated admin for Office 365" in html
    assert f'name="expected_holder" value="{old.pk}"' in html
    old.refresh_from_db()
    assert old.is_active


def test_confirming_moves_delegated_admin_and_tells_both_partners(
    admin_client, cast, services, relationship, tailspin, django_capture_on_commit_callbacks
):
    old = give(cast, services, cast.reseller)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_grant(
            admin_client,
            cast,
            tailspin,
            provisioning="True",
            support="False",
            confirm="yes",
            expected_holder=str(old.pk),
        )
    assert response.status_code == 302
    assert response["Location"] == url(cast)
    new = DelegatedAdminGrant.objects.active().get()
    assert (new.partner, new.provisioning, new.support) == (tailspin, True, False)
    # both resellers, and their provider about each
    assert len(mail.outbox) == 4
    follow = admin_client.get(url(cast))
    assert "moved to Tailspin Cloud Services" in follow.content.decode()


def test_a_stale_confirmation_is_shown_again_instead_of_acting(
    admin_client, cast, services, relationship, tailspin
):
    # the customer confirmed "nobody holds it" while someone else granted it meanwhile
    give(cast, services, cast.reseller)
    response = post_grant(admin_client, cast, tailspin, confirm="yes", expected_holder="none")
    assert response.status_code == 200
    assert "changed since you opened the previous page" in response.content.decode()
    assert DelegatedAdminGrant.objects.active().get().partner == cast.reseller


def test_a_first_grant_is_confirmed_then_created(admin_client, cast, services, relationship):
    response = post_grant(admin_client, cast, cast.reseller)
    assert "Fabrikam Solutions receives delegated admin" in response.content.decode()
    response = post_grant(admin_client, cast, cast.reseller, confirm="yes", expected_holder="none")
    assert response.status_code == 302
    assert DelegatedAdminGrant.objects.active().get().partner == cast.reseller


def test_a_partner_that_does_not_work_with_the_customer_is_refused(
    admin_client, cast, services, relationship
):
    response = post_grant(
        admin_client, cast, cast.other_provider, confirm="yes", expected_holder="none"
    )
    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    assert not DelegatedAdminGrant.objects.exists()


def test_a_grant_without_scope_is_refused(admin_client, cast, services, relationship):
    data = {"service": "office365", "partner": cast.reseller.public_id}
    response = admin_client.post(url(cast, "customers:grant_set"), data)
    assert "Choose at least one scope" in response.content.decode()
    assert not DelegatedAdminGrant.objects.exists()


def test_garbage_input_gives_a_form_error_not_a_crash(admin_client, cast, services, relationship):
    response = admin_client.post(
        url(cast, "customers:grant_set"), {"service": "nope", "partner": "PNOPE", "confirm": "yes"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"service", "partner"}


# ------------------------------------------------------------------------------
# Remove delegated admin
# ------------------------------------------------------------------------------
def test_removing_asks_for_a_reason_and_keeps_the_relationship(
    admin_client, cast, services, relationship, django_capture_on_commit_callbacks
):
    grant = give(cast, services, cast.reseller)
    remove_url = url(cast, "customers:grant_remove", grant_id=grant.pk)
    page = admin_client.get(remove_url)
    assert "will no longer hold delegated admin" in page.content.decode()
    assert admin_client.post(remove_url, {"note": "", "confirm": "yes"}).status_code == 200
    grant.refresh_from_db()
    assert grant.is_active
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(remove_url, {"note": "Handled in house", "confirm": "yes"})
    assert response.status_code == 302
    grant.refresh_from_db()
    relationship.refresh_from_db()
    assert grant.revoke_note == "Handled in house"
    assert relationship.state == "active"
    assert mail.outbox[0].to == ["admin@fabrikam.test"]


def test_opening_the_remove_page_of_a_removed_grant_says_so(
    admin_client, cast, services, relationship
):
    grant = give(cast, services, cast.reseller)
    grant_remove(grant=grant, by=cast.customer_admin, note="Done")
    response = admin_client.get(url(cast, "customers:grant_remove", grant_id=grant.pk), follow=True)
    assert "already removed" in response.content.decode()


def test_removing_twice_says_so_and_changes_nothing(admin_client, cast, services, relationship):
    grant = give(cast, services, cast.reseller)
    remove_url = url(cast, "customers:grant_remove", grant_id=grant.pk)
    admin_client.post(remove_url, {"note": "First", "confirm": "yes"})
    response = admin_client.post(remove_url, {"note": "Second", "confirm": "yes"}, follow=True)
    assert "already removed" in response.content.decode()
    grant.refresh_from_db()
    assert grant.revoke_note == "First"


def test_another_customers_grant_is_404(admin_client, cast, services):
    other = factories.make_customer("Other", "other.partner.onmschina.cn")
    from apps.customers.services import relationship_get_or_create

    relationship_get_or_create(customer=other, provider=cast.provider)
    grant = grant_set(
        customer=other,
        service=services["office365"],
        partner=cast.provider,
        provisioning=True,
        support=False,
        by=None,
    ).grant
    assert (
        admin_client.get(url(cast, "customers:grant_remove", grant_id=grant.pk)).status_code == 404
    )
    assert (
        admin_client.post(
            url(cast, "customers:grant_remove", grant_id=grant.pk), {"note": "x", "confirm": "yes"}
        ).status_code
        == 404
    )
    grant.refresh_from_db()
    assert grant.is_active
