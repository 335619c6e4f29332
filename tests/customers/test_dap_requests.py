"""Delegated admin requests: a partner asks (one-time link to the customer) or the customer asks
by partner ID (the partner confirms). Nothing is granted without the receiving side's yes."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.dap_links import request_token, request_url
from apps.customers.dap_requests import (
    dap_request_approve,
    dap_request_cancel,
    dap_request_create,
    dap_request_decline,
)
from apps.customers.models import DelegatedAdminGrant, DelegatedAdminRequest
from apps.customers.services import grant_set
from tests import factories

pytestmark = pytest.mark.django_db
Origin = DelegatedAdminRequest.Origin
Status = DelegatedAdminRequest.Status


def _ask(cast, services, *, partner=None, codes=("office365", "azure"), **kwargs):
    kwargs.setdefault("provisioning", True)
    kwargs.setdefault("support", False)
    kwargs.setdefault("duration_days", 90)
    return dap_request_create(
        customer=cast.customer,
        partner=partner or cast.reseller,
        services=[services[c] for c in codes],
        by=kwargs.pop("by", cast.reseller_admin),
        origin=kwargs.pop("origin", Origin.PARTNER),
        **kwargs,
    )


def _link_path(dap_request) -> str:
    return reverse("customers:dap_request_link", kwargs={"token": request_token(dap_request)})


# ------------------------------------------------------------------------------
# Services
# ------------------------------------------------------------------------------
def test_a_reseller_asks_a_customer_it_serves_and_the_admins_get_the_link(
    cast, services, relationship, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dap_request = _ask(cast, services)
    assert dap_request.status == Status.PENDING
    assert not DelegatedAdminGrant.objects.exists()  # nothing until the customer approves
    [email] = [m for m in mail.outbox if "admin@northwind.test" in m.to]
    assert request_url(dap_request) in email.body
    assert AuditEvent.objects.filter(action="dap_request.created").count() == 1


def test_a_partner_that_does_not_work_with_the_customer_cannot_ask(cast, services):
    stranger = factories.make_reseller("Wingtip")  # no partnership, no relationship
    with pytest.raises(ValidationError) as exc:
        _ask(cast, services, partner=stranger)
    assert exc.value.error_list[0].code == "not_eligible"
    assert not DelegatedAdminRequest.objects.exists()


def test_approving_grants_the_chosen_services_for_the_requested_duration(
    cast, services, relationship
):
    dap_request = _ask(cast, services)
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        dap_request_approve(
            dap_request=dap_request,
            by=cast.customer_admin,
            acting_customer=cast.customer,
            decisions={"azure": "leave"},
        )
    [grant] = DelegatedAdminGrant.objects.active()
    assert (grant.service.code, grant.partner) == ("office365", cast.reseller)
    assert grant.ends_at == now + timedelta(days=90)
    dap_request.refresh_from_db()
    assert dap_request.status == Status.APPROVED
    assert dap_request.outcomes == {"office365": "created", "azure": "left_out"}


def test_approving_a_service_someone_else_holds_needs_a_move_or_keep_choice(
    cast, services, relationship
):
    grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.provider,
        provisioning=True,
        support=False,
        by=cast.customer_admin,
    )
    dap_request = _ask(cast, services, codes=("office365",))
    with pytest.raises(ValidationError) as exc:
        dap_request_approve(
            dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
        )
    assert exc.value.error_list[0].code == "decision_missing"
    dap_request_approve(
        dap_request=dap_request,
        by=cast.customer_admin,
        acting_customer=cast.customer,
        decisions={"office365": "move"},
    )
    assert DelegatedAdminGrant.objects.active().get().partner == cast.reseller


def test_the_partner_cannot_approve_its_own_request(cast, services, relationship):
    dap_request = _ask(cast, services)
    with pytest.raises(ValidationError) as exc:
        dap_request_approve(
            dap_request=dap_request, by=cast.reseller_admin, acting_partner=cast.reseller
        )
    assert exc.value.error_list[0].code == "wrong_side"
    assert not DelegatedAdminGrant.objects.exists()


def test_an_answered_request_cannot_be_answered_again(cast, services, relationship):
    dap_request = _ask(cast, services)
    dap_request_decline(
        dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
    )
    with pytest.raises(ValidationError) as exc:
        dap_request_approve(
            dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
        )
    assert exc.value.error_list[0].code == "declined"
    assert not DelegatedAdminGrant.objects.exists()


def test_an_expired_request_cannot_be_approved(cast, services, relationship):
    dap_request = _ask(cast, services)
    with (
        time_machine.travel(timezone.now() + timedelta(days=31)),
        pytest.raises(ValidationError) as exc,
    ):
        dap_request_approve(
            dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
        )
    assert exc.value.error_list[0].code == "expired"


def test_the_customer_asks_by_partner_id_and_the_reseller_confirms(
    cast, services, relationship, tailspin
):
    dap_request = _ask(
        cast,
        services,
        partner=tailspin,
        codes=("office365",),
        by=cast.customer_admin,
        origin=Origin.CUSTOMER,
    )
    assert not DelegatedAdminGrant.objects.exists()
    with pytest.raises(ValidationError):  # the customer cannot confirm for the partner
        dap_request_approve(
            dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
        )
    tailspin_admin = tailspin.memberships.get().user
    dap_request_approve(dap_request=dap_request, by=tailspin_admin, acting_partner=tailspin)
    assert DelegatedAdminGrant.objects.active().get().partner == tailspin


def test_the_asking_side_withdraws(cast, services, relationship):
    dap_request = _ask(cast, services)
    with pytest.raises(ValidationError):
        dap_request_cancel(
            dap_request=dap_request, by=cast.customer_admin, acting_customer=cast.customer
        )
    dap_request_cancel(
        dap_request=dap_request, by=cast.reseller_admin, acting_partner=cast.reseller
    )
    dap_request.refresh_from_db()
    assert dap_request.status == Status.CANCELLED


@pytest.mark.parametrize("days", [0, 731])
def test_a_duration_outside_the_bounds_is_refused(cast, services, relationship, days):
    with pytest.raises(ValidationError) as exc:
        _ask(cast, services, duration_days=days)
    assert "duration_days" in exc.value.message_dict


def test_both_scopes_cannot_auto_extend(cast, services, relationship):
    with pytest.raises(ValidationError) as exc:
        _ask(cast, services, support=True, auto_extend=True)
    assert "auto_extend" in exc.value.message_dict


# ------------------------------------------------------------------------------
# Pages: the link, the review page, the partner's pages
# ------------------------------------------------------------------------------
def test_the_link_leaves_the_url_and_the_admin_approves_on_the_review_page(
    client, cast, services, relationship
):
    dap_request = _ask(cast, services, auto_extend=True)
    opened = client.get(_link_path(dap_request))
    assert opened.status_code == 302
    assert opened["Location"] == reverse("customers:dap_request_landing")
    assert opened["Referrer-Policy"] == "no-referrer"
    assert client.get(opened["Location"]).status_code == 302  # to sign in
    client.force_login(cast.customer_admin)
    landing = client.get(reverse("customers:dap_request_landing"))
    review_url = reverse(
        "customers:dap_request",
        kwargs={"customer_id": cast.customer.public_id, "request_id": dap_request.public_id},
    )
    assert landing["Location"] == review_url
    page = client.get(review_url).content.decode()
    assert "Delegated admin today" in page and "If you approve" in page
    assert 'value="leave"' in page
    response = client.post(
        review_url, {"action": "approve", "decision_office365": "give", "decision_azure": "leave"}
    )
    assert response.status_code == 302
    [grant] = DelegatedAdminGrant.objects.active()
    assert grant.service.code == "office365"
    assert grant.auto_extend is False  # the box was not ticked in this POST
    # the link is used up: its page says so (410), and a second POST changes nothing
    used = client.get(_link_path(dap_request), follow=True)
    assert used.status_code == 410
    assert "This delegated admin request was already answered" in used.content.decode()
    client.post(review_url, {"action": "approve"})
    assert DelegatedAdminGrant.objects.count() == 1


def test_a_tampered_link_is_refused(client, cast, services, relationship):
    dap_request = _ask(cast, services)
    client.force_login(cast.customer_admin)
    response = client.get(_link_path(dap_request)[:-3] + "xx/", follow=True)
    assert response.status_code == 404
    assert not DelegatedAdminGrant.objects.exists()


def test_another_organizations_admin_cannot_use_the_link(client, cast, services, relationship):
    dap_request = _ask(cast, services)
    other = factories.make_user("admin@other.test")
    factories.make_customer("Other", "other.partner.onmschina.cn", admin=other)
    client.force_login(other)
    response = client.get(_link_path(dap_request), follow=True)
    assert response.status_code == 403
    review_url = reverse(
        "customers:dap_request",
        kwargs={"customer_id": cast.customer.public_id, "request_id": dap_request.public_id},
    )
    assert client.post(review_url, {"action": "approve"}).status_code == 404
    assert not DelegatedAdminGrant.objects.exists()


def test_the_partner_asks_from_the_customer_page_and_sees_the_link(
    client, cast, services, relationship
):
    client.force_login(cast.reseller_admin)
    url = reverse(
        "customers:partner_dap_request_create",
        kwargs={"partner_id": cast.reseller.public_id, "customer_id": cast.customer.public_id},
    )
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"services": ["office365"], "support": "on", "duration_days": "365"}
    )
    dap_request = DelegatedAdminRequest.objects.get()
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert request_token(dap_request) in detail
    bad = client.post(url, {"services": ["office365"], "duration_days": "5000"})
    assert bad.status_code == 200 and DelegatedAdminRequest.objects.count() == 1


def test_the_customer_asks_by_partner_id_from_its_page(client, cast, services, relationship):
    client.force_login(cast.customer_admin)
    url = reverse("customers:dap_request_create", kwargs={"customer_id": cast.customer.public_id})
    unknown = client.post(
        url,
        {
            "partner_id": "PNOSUCHID",
            "services": ["office365"],
            "provisioning": "on",
            "duration_days": "30",
        },
    )
    assert unknown.status_code == 200 and "partner_id" in unknown.context["form"].errors
    stranger = factories.make_reseller("Wingtip")
    refused = client.post(
        url,
        {
            "partner_id": stranger.public_id,
            "services": ["office365"],
            "provisioning": "on",
            "duration_days": "30",
        },
    )
    assert "partner_id" in refused.context["form"].errors
    ok = client.post(
        url,
        {
            "partner_id": cast.reseller.public_id.lower(),
            "services": ["office365"],
            "provisioning": "on",
            "duration_days": "30",
        },
    )
    assert ok.status_code == 302
    assert DelegatedAdminRequest.objects.get().origin == Origin.CUSTOMER


def test_the_partner_confirms_a_customers_request_on_its_page(client, cast, services, relationship):
    dap_request = _ask(
        cast, services, codes=("office365",), by=cast.customer_admin, origin=Origin.CUSTOMER
    )
    url = reverse(
        "customers:partner_dap_request",
        kwargs={"partner_id": cast.reseller.public_id, "request_id": dap_request.public_id},
    )
    client.force_login(cast.reseller_admin)
    assert client.post(url, {"action": "nonsense"}).status_code == 302
    assert not DelegatedAdminGrant.objects.exists()
    client.post(url, {"action": "confirm"})
    client.post(url, {"action": "confirm"})  # double submit
    assert DelegatedAdminGrant.objects.active().get().partner == cast.reseller
    assert AuditEvent.objects.filter(action="dap_request.approved").count() == 1


def test_the_partner_request_list_costs_the_same_queries_for_3_and_30_requests(
    client, cast, services, relationship, django_assert_max_num_queries
):
    client.force_login(cast.reseller_admin)
    url = reverse("customers:partner_dap_requests", kwargs={"partner_id": cast.reseller.public_id})
    for n in (3, 30):
        while DelegatedAdminRequest.objects.count() < n:
            _ask(cast, services)
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_the_ending_soon_list_costs_the_same_queries_for_few_and_many_grants(
    client, cast, services, relationship, django_assert_max_num_queries
):
    from .builders import many_customers_for

    client.force_login(cast.provider_admin)
    url = reverse("customers:grants_expiring", kwargs={"partner_id": cast.provider.public_id})
    for n in (3, 60):
        many_customers_for(cast.provider, cast.reseller, services["azure"], n)
        DelegatedAdminGrant.objects.update(ends_at=timezone.now() + timedelta(days=5))
        with django_assert_max_num_queries(14):
            page = client.get(url)
        assert page.status_code == 200
        assert page.context["counts"]["week"] >= n


def test_the_customer_request_list_costs_the_same_queries_for_3_and_30_requests(
    client, cast, services, relationship, django_assert_max_num_queries
):
    client.force_login(cast.customer_admin)
    url = reverse("customers:dap_requests", kwargs={"customer_id": cast.customer.public_id})
    for n in (3, 30):
        while DelegatedAdminRequest.objects.count() < n:
            _ask(cast, services)
        with django_assert_max_num_queries(12):
            page = client.get(url)
        assert page.status_code == 200
        assert len(page.context["requests_page"].object_list) == min(
            n, page.context["requests_page"].paginator.per_page
        )
