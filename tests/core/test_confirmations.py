"""Issue 16, point 1: every irreversible action has a confirmation page that says what will
happen, and a POST that did not come from it (a hand-made POST, the old one-click button)
changes nothing. The confirmation page posts `confirm=yes` (apps/core/confirm.py)."""

import pytest
from django.urls import reverse

from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
from apps.customers.services import grant_set, relationship_get_or_create
from apps.invitations import tokens
from apps.invitations.models import Acceptance, Invitation
from apps.partners.models import PartnerMembership, ResellerPartnership, Role, TeamInvitation
from apps.partners.services import partnership_invite, team_invite
from tests.invitations.builders import make_invitation

CONFIRM = {"confirm": "yes"}
NOTHING_YET = "Nothing was changed yet"


def _check(client, url, *, data=None, says, unchanged, changed):
    """GET explains; a hand-made POST (no confirm) explains again and changes nothing; the
    confirmed POST acts."""
    page = client.get(url)
    assert page.status_code == 200
    assert says in page.content.decode()
    assert 'name="confirm" value="yes"' in page.content.decode()
    hand_made = client.post(url, data or {})
    assert hand_made.status_code == 200
    assert NOTHING_YET in hand_made.content.decode()
    assert unchanged()
    client.post(url, {**(data or {}), **CONFIRM})
    assert changed()


def test_revoking_an_invitation_needs_its_confirmation(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.provider_admin)
    url = reverse("invitations:revoke", args=[cast.provider.public_id, invitation.public_id])

    def status():
        invitation.refresh_from_db()
        return invitation.status

    _check(
        client,
        url,
        says="Customers who already accepted keep their relationship",
        unchanged=lambda: status() == Invitation.Status.ACTIVE,
        changed=lambda: status() == Invitation.Status.REVOKED,
    )
    # the detail page now links to the confirmation page instead of posting
    detail = client.get(
        reverse("invitations:detail", args=[cast.provider.public_id, invitation.public_id])
    )
    assert f'<form method="post" action="{url}"' not in detail.content.decode()


def test_a_sales_agent_cannot_reach_the_revoke_confirmation(cast, client):
    invitation = make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.provider_sales)
    url = reverse("invitations:revoke", args=[cast.provider.public_id, invitation.public_id])
    assert client.get(url).status_code == 403
    assert client.post(url, CONFIRM).status_code == 403
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACTIVE


def test_revoking_a_team_invitation_needs_its_confirmation(cast, client):
    invitation = team_invite(
        partner=cast.provider,
        by=cast.provider_admin,
        email="new@contoso.test",
        role=Role.SALES_AGENT,
        acting_partner=cast.provider,
    )
    client.force_login(cast.provider_admin)
    url = reverse("partners:team_invitation_revoke", args=[cast.provider.public_id, invitation.pk])

    def state():
        return TeamInvitation.objects.get(pk=invitation.pk).status

    before = state()
    _check(
        client,
        url,
        says="stops working at once",
        unchanged=lambda: state() == before,
        changed=lambda: state() != before,
    )


def test_revoking_a_reseller_invitation_needs_its_confirmation(cast, client):
    partnership = partnership_invite(
        provider=cast.provider,
        by=cast.provider_admin,
        email="x@tailspin.test",
        acting_partner=cast.provider,
    )
    client.force_login(cast.provider_admin)
    url = reverse("partners:partnership_revoke", args=[cast.provider.public_id, partnership.pk])

    def state():
        return ResellerPartnership.objects.get(pk=partnership.pk).state

    _check(
        client,
        url,
        says="This cannot be undone",
        unchanged=lambda: state() == ResellerPartnership.State.INVITED,
        changed=lambda: state() == ResellerPartnership.State.REVOKED,
    )


def test_removing_a_member_needs_its_confirmation(cast, client):
    member = PartnerMembership.objects.get(user=cast.provider_helpdesk, partner=cast.provider)
    client.force_login(cast.provider_admin)
    url = reverse("partners:member_remove", args=[cast.provider.public_id, member.pk])
    exists = PartnerMembership.objects.filter(pk=member.pk).exists
    _check(
        client,
        url,
        says="They lose access at once",
        unchanged=exists,
        changed=lambda: not exists(),
    )


@pytest.mark.parametrize("side", ["provider", "reseller"])
def test_ending_a_partnership_needs_its_confirmation(cast, client, side):
    partnership = ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)
    if side == "provider":
        client.force_login(cast.provider_admin)
        url = reverse("partners:partnership_end", args=[cast.provider.public_id, partnership.pk])
    else:
        client.force_login(cast.reseller_admin)
        url = reverse("partners:provider_end", args=[cast.reseller.public_id, partnership.pk])

    def state():
        return ResellerPartnership.objects.get(pk=partnership.pk).state

    _check(
        client,
        url,
        data={"reason": "Contract over"},
        says="cannot be reactivated",
        unchanged=lambda: state() == ResellerPartnership.State.ACTIVE,
        changed=lambda: state() == ResellerPartnership.State.ENDED,
    )


def _relationship_with_grant(cast, services):
    relationship, _ = relationship_get_or_create(
        customer=cast.customer, provider=cast.provider, reseller=cast.reseller
    )
    change = grant_set(
        customer=cast.customer,
        service=services["office365"],
        partner=cast.reseller,
        provisioning=True,
        support=True,
        by=cast.customer_admin,
        relationship=relationship,
        notify=False,
    )
    return relationship, change.grant


def test_ending_a_relationship_needs_its_confirmation(cast, client, services):
    relationship, _grant = _relationship_with_grant(cast, services)
    client.force_login(cast.provider_admin)
    url = reverse(
        "customers:relationship_end",
        args=[cast.provider.public_id, cast.customer.public_id, relationship.pk],
    )

    def state():
        return ResellerRelationship.objects.get(pk=relationship.pk).state

    _check(
        client,
        url,
        data={"reason": "Contract over"},
        says="What changes",
        unchanged=lambda: state() == ResellerRelationship.State.ACTIVE,
        changed=lambda: state() == ResellerRelationship.State.ENDED,
    )


def test_removing_delegated_admin_needs_its_confirmation(cast, client, services):
    _relationship, grant = _relationship_with_grant(cast, services)
    client.force_login(cast.customer_admin)
    url = reverse("customers:grant_remove", args=[cast.customer.public_id, grant.pk])

    def active():
        return DelegatedAdminGrant.objects.get(pk=grant.pk).is_active

    _check(
        client,
        url,
        data={"note": "Handled in house"},
        says="Your relationship with the partner stays in place",
        unchanged=active,
        changed=lambda: not active(),
    )


def test_declining_an_invitation_asks_first(cast, client, services):
    invitation = make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.customer_admin)
    client.get(tokens.link_path(tokens.invitation_token(invitation)))
    decline = reverse("invitations:decline")
    # the Decline button of the acceptance panel posts without `confirm`: it shows what
    # declining does and records nothing
    page = client.post(decline, {"customer": cast.customer.public_id})
    assert page.status_code == 200
    html = page.content.decode()
    assert "cannot be withdrawn" in html
    assert 'name="confirm" value="yes"' in html
    assert f'value="{cast.customer.public_id}"' in html
    assert not Acceptance.objects.exists()
    done = client.post(decline, {"customer": cast.customer.public_id, **CONFIRM})
    assert "You declined the invitation" in done.content.decode()
    assert Acceptance.objects.get().outcome == Acceptance.Outcome.DECLINED
