"""The invitation list at scale (issue 16, point 10): bulk revoke and extend with a
confirmation step, a copy-link action per usable invitation, and the names of the customers
who accepted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import ResellerRelationship
from apps.invitations.models import Acceptance, Invitation
from apps.invitations.services import invitation_extend
from apps.invitations.tokens import invitation_url

from .builders import make_delivery, make_invitation


def bulk_url(partner):
    return reverse("invitations:bulk", kwargs={"partner_id": partner.public_id})


def list_url(partner):
    return reverse("invitations:list", kwargs={"partner_id": partner.public_id})


@pytest.fixture
def three(cast):
    return [make_invitation(cast.provider, cast.reseller) for _ in range(3)]


def test_revoking_in_bulk_asks_first_and_changes_nothing_until_confirmed(client, cast, three):
    client.force_login(cast.provider_agent)
    ids = [i.public_id for i in three[:2]]
    response = client.post(bulk_url(cast.provider), {"action": "revoke", "invitation": ids})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Revoke 2 invitations?" in page
    assert "This cannot be undone." in page
    assert all(public_id in page for public_id in ids)
    assert not Invitation.objects.filter(status=Invitation.Status.REVOKED).exists()

    response = client.post(
        bulk_url(cast.provider), {"action": "revoke", "invitation": ids, "confirm": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == list_url(cast.provider)
    revoked = set(
        Invitation.objects.filter(status=Invitation.Status.REVOKED).values_list(
            "public_id", flat=True
        )
    )
    assert revoked == set(ids)
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 2


def test_a_second_confirmation_reports_what_was_already_revoked(client, cast, three):
    client.force_login(cast.provider_admin)
    data = {"action": "revoke", "invitation": [three[0].public_id], "confirm": "1"}
    client.post(bulk_url(cast.provider), data)
    response = client.post(bulk_url(cast.provider), data, follow=True)
    text = response.content.decode()
    assert "Not changed" in text and "already revoked" in text
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1


def test_extending_in_bulk_revives_an_expired_invitation(client, cast):
    expired = make_invitation(cast.provider, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(cast.provider_admin)
    response = client.post(
        bulk_url(cast.provider), {"action": "extend", "days": "30", "invitation": [expired.pk]}
    )
    # ids are public IDs: a database key selects nothing
    assert response.status_code == 302
    response = client.post(
        bulk_url(cast.provider),
        {"action": "extend", "days": "30", "invitation": [expired.public_id]},
    )
    assert "Extend 1 invitation?" in response.content.decode()
    client.post(
        bulk_url(cast.provider),
        {"action": "extend", "days": "30", "invitation": [expired.public_id], "confirm": "1"},
    )
    expired.refresh_from_db()
    assert expired.is_usable
    assert timedelta(days=29) < expired.expires_at - timezone.now() <= timedelta(days=30)
    event = AuditEvent.objects.get(action="invitation.extended")
    assert set(event.data) == {"expires_before", "expires_at"}


@pytest.mark.parametrize(
    "data",
    [
        {"action": "delete"},
        {"action": "extend", "days": "365"},
        {"action": "extend", "days": "abc"},
        {"action": "revoke", "invitation": []},
    ],
)
def test_hand_made_requests_change_nothing(client, cast, three, data):
    data = {"invitation": [i.public_id for i in three], "confirm": "1", **data}
    client.force_login(cast.provider_admin)
    response = client.post(bulk_url(cast.provider), data)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(
        action__in=["invitation.revoked", "invitation.extended"]
    ).exists()


def test_another_providers_invitations_are_never_touched(client, cast, three):
    theirs = make_invitation(cast.other_provider)
    client.force_login(cast.provider_admin)
    client.post(
        bulk_url(cast.provider),
        {"action": "revoke", "invitation": [theirs.public_id], "confirm": "1"},
    )
    theirs.refresh_from_db()
    assert theirs.status == Invitation.Status.ACTIVE
    # and its own staff cannot act through Contoso's page
    client.force_login(cast.outsider)
    assert client.post(bulk_url(cast.provider), {"action": "revoke"}).status_code == 404


def test_roles_that_do_not_manage_invitations_get_403(client, cast, three):
    data = {"action": "revoke", "invitation": [three[0].public_id], "confirm": "1"}
    for user, partner in [
        (cast.provider_sales, cast.provider),
        (cast.reseller_admin, cast.reseller),
    ]:
        client.force_login(user)
        assert client.post(bulk_url(partner), data).status_code == 403
    assert not Invitation.objects.filter(status=Invitation.Status.REVOKED).exists()


def test_the_extend_service_refuses_revoked_and_used_up_invitations(cast):
    from django.core.exceptions import ValidationError

    used = make_invitation(cast.provider, max_uses=1, use_count=1)
    with pytest.raises(ValidationError):
        invitation_extend(invitation=used, by=cast.provider_admin, days=30)
    with pytest.raises(ValidationError):
        invitation_extend(invitation=make_invitation(cast.provider), by=cast.provider_admin, days=0)
    with pytest.raises(Exception):  # noqa: B017 - PermissionDenied for a sales agent
        invitation_extend(invitation=used, by=cast.provider_sales, days=30)


def test_the_list_offers_selection_copy_link_and_names_the_customers(client, cast, three):
    invitation = three[0]
    delivery = make_delivery(invitation, sent_at=timezone.now())
    relationship = ResellerRelationship.objects.create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    Acceptance.objects.create(
        invitation=invitation,
        delivery=delivery,
        customer=cast.customer,
        relationship=relationship,
        outcome=Acceptance.Outcome.ACCEPTED,
    )
    client.force_login(cast.provider_admin)
    page = client.get(list_url(cast.provider)).content.decode()
    assert f'name="invitation" value="{invitation.public_id}"' in page
    assert "Northwind Traders" in page
    assert invitation_url(invitation) in page
    assert f'data-copy-target="#link-{invitation.public_id}"' in page
    # a reseller copies links too, but selects nothing for bulk actions (it manages none)
    client.force_login(cast.reseller_admin)
    page = client.get(list_url(cast.reseller)).content.decode()
    assert invitation_url(invitation) in page
    assert 'name="invitation"' not in page
    # a revoked invitation has no link to copy
    invitation.status = Invitation.Status.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save()
    client.force_login(cast.provider_admin)
    assert invitation_url(invitation) not in client.get(list_url(cast.provider)).content.decode()
