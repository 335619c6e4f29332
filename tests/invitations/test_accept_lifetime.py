"""Accepting an invitation that asks delegated admin: per-service choice, duration, auto-extend."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from apps.customers.models import DelegatedAdminGrant
from apps.invitations.acceptance import Outcome, invitation_accept
from apps.invitations.services import invitation_create
from apps.invitations.tokens import invitation_url

from .builders import make_invitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast, services):
    return make_invitation(
        cast.provider,
        cast.reseller,
        requests_dap=True,
        dap_provisioning=True,
        dap_support=False,
        dap_duration_days=90,
        dap_auto_extend=True,
        services=[services["office365"], services["azure"]],
    )


def test_the_customer_leaves_out_a_service_nobody_holds(cast, services, invitation):
    result = invitation_accept(
        invitation=invitation,
        by=cast.customer_admin,
        customer=cast.customer,
        decisions={"azure": "leave"},
    )
    assert result.outcomes == {"office365": Outcome.GRANTED, "azure": Outcome.LEFT_OUT}
    grants = DelegatedAdminGrant.objects.active().filter(customer=cast.customer)
    assert [g.service.code for g in grants] == ["office365"]
    assert result.acceptance.decisions["azure"] == "left_out"


def test_accepted_grants_end_after_the_invitations_duration_and_auto_extend(
    cast, services, invitation
):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        invitation_accept(invitation=invitation, by=cast.customer_admin, customer=cast.customer)
    grant = DelegatedAdminGrant.objects.get(service__code="office365")
    assert grant.ends_at == now + timedelta(days=90)
    assert grant.auto_extend is True


def test_the_customer_turns_auto_extension_off_when_accepting(cast, services, invitation):
    invitation_accept(
        invitation=invitation, by=cast.customer_admin, customer=cast.customer, auto_extend=False
    )
    assert not DelegatedAdminGrant.objects.filter(auto_extend=True).exists()


def test_the_accept_page_offers_leave_out_and_auto_extend_and_the_post_honours_them(
    client, cast, services, invitation
):
    client.force_login(cast.customer_admin)
    landing = client.get(invitation_url(invitation), follow=True)
    page = landing.content.decode()
    assert 'value="leave"' in page
    assert 'name="auto_extend"' in page
    assert "90 days" in page
    response = client.post(
        reverse("invitations:accept"),
        {
            "customer": cast.customer.public_id,
            "decision_office365": "give",
            "decision_azure": "leave",
            "auto_extend_shown": "1",  # and the box unticked
        },
    )
    assert response.status_code == 302
    grants = DelegatedAdminGrant.objects.active()
    assert [(g.service.code, g.auto_extend) for g in grants] == [("office365", False)]


def test_an_invitation_duration_outside_the_bounds_is_refused(cast, services):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider,
            by=cast.provider_admin,
            requests_dap=True,
            services=[services["office365"]],
            dap_provisioning=True,
            dap_duration_days=800,
        )
    assert "dap_duration_days" in exc.value.message_dict


def test_an_invitation_for_both_scopes_cannot_propose_auto_extension(cast, services):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider,
            by=cast.provider_admin,
            requests_dap=True,
            services=[services["office365"]],
            dap_provisioning=True,
            dap_support=True,
            dap_auto_extend=True,
        )
    assert "dap_auto_extend" in exc.value.message_dict
