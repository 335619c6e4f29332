import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.customers.models import ResellerRelationship
from apps.partners import services
from apps.partners.links import hash_token
from apps.partners.models import (
    Partner,
    PartnerMembership,
    ResellerPartnership,
    Role,
    TeamInvitation,
)
from apps.partners.selectors import (
    active_provider_ids_for_reseller,
    link_target_for_token,
    reseller_partnerships_for_provider,
)
from tests import factories

State = ResellerPartnership.State


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("action", flat=True))


def live_partnership(cast) -> ResellerPartnership:
    return ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)


# ------------------------------------------------------------------------------
# Partner organizations
# ------------------------------------------------------------------------------
def test_partner_create_makes_the_partner_and_emails_its_first_global_admin(
    db, django_capture_on_commit_callbacks
):
    staff = factories.make_user("operator@example.test", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        partner, invitation = services.partner_create(
            name="Adventure Works",
            kind=Partner.Kind.DIRECT_PARTNER,
            first_admin_email="Boss@AdventureWorks.test",
            by=staff,
        )
    assert partner.status == Partner.Status.ACTIVE
    assert partner.contact_email == "boss@adventureworks.test"
    assert invitation.role == Role.GLOBAL_ADMIN
    assert invitation.email == "boss@adventureworks.test"
    assert actions() == ["partner.created", "team.invited"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@adventureworks.test"]
    assert "Adventure Works" in message.subject
    assert "/t/" in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert partner.public_id in html


def test_partner_create_can_leave_the_partner_pending_for_approval(db):
    partner, _ = services.partner_create(
        name="Pending Co",
        kind=Partner.Kind.INDIRECT_RESELLER,
        first_admin_email="a@pending.test",
        status=Partner.Status.PENDING,
    )
    assert partner.status == Partner.Status.PENDING


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "  "},
        {"kind": "operator"},
        {"first_admin_email": ""},
        {"status": Partner.Status.SUSPENDED},
    ],
)
def test_partner_create_refuses_bad_input_and_creates_nothing(db, kwargs):
    args = {"name": "X", "kind": Partner.Kind.INDIRECT_PROVIDER, "first_admin_email": "a@x.test"}
    with pytest.raises(ValidationError):
        services.partner_create(**{**args, **kwargs})
    assert not Partner.objects.exists()
    assert not AuditEvent.objects.exists()


def test_partner_approve_activates_a_pending_partner_and_records_it(db):
    partner = factories.make_reseller(status=Partner.Status.PENDING)
    services.partner_approve(partner=partner)
    partner.refresh_from_db()
    assert partner.status == Partner.Status.ACTIVE
    event = AuditEvent.objects.get(action="partner.approved")
    assert event.data == {"from": "pending"}


def test_partner_approve_refuses_an_active_partner(db):
    partner = factories.make_provider()
    with pytest.raises(ValidationError, match="already active"):
        services.partner_approve(partner=partner)
    assert not AuditEvent.objects.exists()


def test_partner_suspend_suspends_and_refuses_twice(db):
    partner = factories.make_provider()
    services.partner_suspend(partner=partner, reason="unpaid")
    partner.refresh_from_db()
    assert partner.status == Partner.Status.SUSPENDED
    with pytest.raises(ValidationError, match="already suspended"):
        services.partner_suspend(partner=partner)
    assert actions() == ["partner.suspended"]


def test_partner_update_records_what_changed_and_nothing_when_nothing_did(cast):
    services.partner_update(
        partner=cast.provider,
        by=cast.provider_admin,
        acting_partner=cast.provider,
        name="Contoso China",
        contact_email="",
    )
    event = AuditEvent.objects.get(action="partner.updated")
    assert event.data["changes"]["name"] == {"from": "Contoso Distribution", "to": "Contoso China"}
    services.partner_update(
        partner=cast.provider, by=cast.provider_admin, name="Contoso China", contact_email=""
    )
    assert AuditEvent.objects.filter(action="partner.updated").count() == 1


# ------------------------------------------------------------------------------
# Team invitations
# ------------------------------------------------------------------------------
def test_team_invite_stores_only_a_hash_of_the_emailed_token(cast, invite_member):
    invitation, token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(TeamInvitation.objects.values().get(pk=invitation.pk))
    assert len(token) >= 43
    event = AuditEvent.objects.get(action="team.invited")
    assert event.acting_partner == cast.provider
    assert event.data == {"email": "new@contoso.test", "role": Role.SALES_AGENT}


def test_team_invite_refuses_a_current_member_and_creates_nothing(cast):
    with pytest.raises(ValidationError, match="already a member"):
        services.team_invite(
            partner=cast.provider,
            by=cast.provider_admin,
            email="SALES@contoso.test",
            role=Role.ADMIN_AGENT,
        )
    assert not TeamInvitation.objects.exists()
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []


def test_team_invite_refuses_an_address_with_an_open_invitation(cast, invite_member):
    invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    with pytest.raises(ValidationError, match="already open"):
        services.team_invite(
            partner=cast.provider,
            by=cast.provider_admin,
            email="New@Contoso.test",
            role=Role.SALES_AGENT,
        )
    assert TeamInvitation.objects.count() == 1


def test_the_same_address_may_be_invited_to_another_organization(cast, invite_member):
    invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    invite_member(cast.reseller, cast.reseller_admin, "new@contoso.test")
    assert TeamInvitation.objects.count() == 2


def test_team_invitation_resend_replaces_the_link_and_extends_the_expiry(
    cast, invite_member, django_capture_on_commit_callbacks
):
    invitation, old_token = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    TeamInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.team_invitation_resend(invitation=invitation, by=cast.provider_admin)
    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.PENDING
    assert invitation.send_count == 2
    assert link_target_for_token(old_token) is None
    assert len(mail.outbox) == 2
    assert actions()[-1] == "team.invitation_resent"


def test_team_invitation_revoke_stops_the_link_and_cannot_be_repeated(cast, invite_member):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    services.team_invitation_revoke(invitation=invitation, by=cast.provider_admin)
    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.REVOKED
    assert invitation.revoked_by == cast.provider_admin
    with pytest.raises(ValidationError, match="revoked"):
        services.team_invitation_revoke(invitation=invitation, by=cast.provider_admin)
    with pytest.raises(ValidationError, match="cannot be resent"):
        services.team_invitation_resend(invitation=invitation, by=cast.provider_admin)
    assert actions() == ["team.invited", "team.invitation_revoked"]


def test_a_revoked_address_can_be_invited_again(cast, invite_member):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    services.team_invitation_revoke(invitation=invitation, by=cast.provider_admin)
    invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    assert TeamInvitation.objects.open().count() == 1


def test_team_invitation_accept_adds_the_member_with_the_invited_role(cast, invite_member):
    invitation, _ = invite_member(
        cast.provider, cast.provider_admin, "new@contoso.test", Role.ADMIN_AGENT
    )
    user = factories.make_user("new@contoso.test")
    membership = services.team_invitation_accept(invitation_id=invitation.pk, by=user)
    assert membership.partner == cast.provider
    assert membership.role == Role.ADMIN_AGENT
    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    event = AuditEvent.objects.get(action="team.joined")
    assert event.actor == user
    assert event.acting_partner == cast.provider


def test_team_invitation_accept_can_create_the_account(cast, invite_member):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    membership = services.team_invitation_accept(
        invitation_id=invitation.pk,
        new_account=services.NewAccount("New Person", "new@contoso.test", "Very-Long-Pass-2026"),
    )
    assert membership.user.email == "new@contoso.test"
    assert membership.user.check_password("Very-Long-Pass-2026")


def test_team_invitation_accept_refuses_someone_signed_in_with_another_address(cast, invite_member):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    with pytest.raises(ValidationError, match="sent to new@contoso.test"):
        services.team_invitation_accept(invitation_id=invitation.pk, by=cast.outsider)
    assert not PartnerMembership.objects.filter(user=cast.outsider, partner=cast.provider).exists()
    assert TeamInvitation.objects.get(pk=invitation.pk).status == TeamInvitation.Status.PENDING


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "expired"),
        ({"revoked_at": timezone.now()}, "revoked"),
        ({"accepted_at": timezone.now()}, "already used"),
        ({"declined_at": timezone.now()}, "declined"),
    ],
)
def test_team_invitation_accept_says_why_a_link_no_longer_works(
    cast, invite_member, spoil, message
):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    TeamInvitation.objects.filter(pk=invitation.pk).update(**spoil)
    user = factories.make_user("new@contoso.test")
    with pytest.raises(ValidationError, match=message):
        services.team_invitation_accept(invitation_id=invitation.pk, by=user)
    assert not PartnerMembership.objects.filter(user=user).exists()


def test_team_invitation_decline_makes_the_link_unusable(cast, invite_member):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    services.team_invitation_decline(invitation_id=invitation.pk)
    with pytest.raises(ValidationError, match="declined"):
        services.team_invitation_accept(
            invitation_id=invitation.pk, by=factories.make_user("new@contoso.test")
        )
    assert actions() == ["team.invited", "team.invitation_declined"]


# ------------------------------------------------------------------------------
# Team members and the last Global admin
# ------------------------------------------------------------------------------
def membership(user, partner) -> PartnerMembership:
    return PartnerMembership.objects.get(user=user, partner=partner)


def test_membership_change_role_records_the_old_and_new_role(cast):
    m = membership(cast.provider_sales, cast.provider)
    services.membership_change_role(
        membership=m, role=Role.ADMIN_AGENT, by=cast.provider_admin, acting_partner=cast.provider
    )
    assert membership(cast.provider_sales, cast.provider).role == Role.ADMIN_AGENT
    event = AuditEvent.objects.get(action="team.role_changed")
    assert event.data == {
        "email": "sales@contoso.test",
        "from": Role.SALES_AGENT,
        "to": Role.ADMIN_AGENT,
    }


def test_membership_change_role_refuses_the_same_role(cast):
    with pytest.raises(ValidationError, match="already has the role"):
        services.membership_change_role(
            membership=membership(cast.provider_sales, cast.provider),
            role=Role.SALES_AGENT,
            by=cast.provider_admin,
        )


def test_the_last_global_admin_cannot_be_demoted(cast):
    with pytest.raises(ValidationError, match="at least one Global admin"):
        services.membership_change_role(
            membership=membership(cast.provider_admin, cast.provider),
            role=Role.ADMIN_AGENT,
            by=cast.provider_admin,
        )
    assert membership(cast.provider_admin, cast.provider).role == Role.GLOBAL_ADMIN
    assert not AuditEvent.objects.exists()


def test_the_last_global_admin_cannot_be_removed(cast):
    with pytest.raises(ValidationError, match="at least one Global admin"):
        services.membership_remove(
            membership=membership(cast.provider_admin, cast.provider), by=cast.provider_admin
        )
    assert PartnerMembership.objects.filter(user=cast.provider_admin).exists()


def test_a_global_admin_can_step_down_when_another_remains(cast):
    services.membership_change_role(
        membership=membership(cast.provider_agent, cast.provider),
        role=Role.GLOBAL_ADMIN,
        by=cast.provider_admin,
    )
    services.membership_change_role(
        membership=membership(cast.provider_admin, cast.provider),
        role=Role.HELPDESK_AGENT,
        by=cast.provider_admin,
    )
    assert membership(cast.provider_admin, cast.provider).role == Role.HELPDESK_AGENT
    # and now the other one is the last
    with pytest.raises(ValidationError):
        services.membership_remove(
            membership=membership(cast.provider_agent, cast.provider), by=cast.provider_agent
        )


def test_membership_remove_removes_and_records(cast):
    services.membership_remove(
        membership=membership(cast.provider_helpdesk, cast.provider),
        by=cast.provider_admin,
        acting_partner=cast.provider,
    )
    assert not PartnerMembership.objects.filter(user=cast.provider_helpdesk).exists()
    event = AuditEvent.objects.get(action="team.member_removed")
    assert event.data == {"email": "helpdesk@contoso.test", "role": Role.HELPDESK_AGENT}


def test_membership_remove_of_someone_already_removed_says_so(cast):
    m = membership(cast.provider_helpdesk, cast.provider)
    services.membership_remove(membership=m, by=cast.provider_admin)
    with pytest.raises(ValidationError, match="no longer a member"):
        services.membership_remove(membership=m, by=cast.provider_admin)


def test_membership_add_refuses_an_existing_member(cast):
    with pytest.raises(ValidationError, match="already a member"):
        services.membership_add(
            partner=cast.provider, user=cast.provider_sales, role=Role.ADMIN_AGENT
        )


# ------------------------------------------------------------------------------
# Reseller partnerships
# ------------------------------------------------------------------------------
def test_partnership_invite_creates_an_invited_partnership_and_emails_the_link(
    cast, invite_reseller
):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "Boss@Tailspin.test")
    assert partnership.state == State.INVITED
    assert partnership.reseller is None
    assert partnership.invited_email == "boss@tailspin.test"
    assert partnership.token_hash == hash_token(token)
    assert link_target_for_token(token) == partnership
    message = mail.outbox[-1]
    assert message.to == ["boss@tailspin.test"]
    assert message.alternatives[0][1] == "text/html"
    assert actions() == ["partnership.invited"]


def test_partnership_invite_refuses_a_provider_partnering_with_itself(cast):
    with pytest.raises(ValidationError, match="its own reseller"):
        services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="x@x.test",
            reseller=cast.provider,
        )
    assert ResellerPartnership.objects.count() == 1


def test_partnership_invite_refuses_a_non_reseller(cast):
    with pytest.raises(ValidationError, match="not an indirect reseller"):
        services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="x@x.test",
            reseller=cast.other_provider,
        )


def test_partnership_invite_refuses_a_reseller_that_is_already_a_partner(cast):
    with pytest.raises(ValidationError, match="already a reseller of Contoso"):
        services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="x@x.test",
            reseller=cast.reseller,
        )
    assert not AuditEvent.objects.exists()


def test_partnership_invite_refuses_a_suspended_pair_and_points_to_reactivation(cast):
    services.partnership_suspend(partnership=live_partnership(cast), by=cast.provider_admin)
    with pytest.raises(ValidationError, match="can reactivate it"):
        services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="x@x.test",
            reseller=cast.reseller,
        )


def test_partnership_invite_refuses_a_second_open_invitation_to_the_same_address(
    cast, invite_reseller
):
    invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    with pytest.raises(ValidationError, match="already has an open invitation"):
        services.partnership_invite(
            provider=cast.provider, by=cast.provider_admin, email="BOSS@tailspin.test"
        )


def test_a_reseller_cannot_invite_resellers(cast):
    with pytest.raises(ValidationError, match="Only indirect providers"):
        services.partnership_invite(
            provider=cast.reseller, by=cast.reseller_admin, email="x@x.test"
        )


def test_partnership_accept_for_a_reseller_the_user_administers(cast, invite_reseller):
    tailspin = factories.make_reseller("Tailspin")
    boss = factories.make_member(tailspin, Role.GLOBAL_ADMIN, email="boss@tailspin.test")
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    services.partnership_accept(partnership_id=partnership.pk, by=boss, reseller=tailspin)
    partnership.refresh_from_db()
    assert partnership.state == State.ACTIVE
    assert partnership.reseller == tailspin
    assert partnership.responded_by == boss
    assert partnership.activated_at is not None
    event = AuditEvent.objects.get(action="partnership.accepted")
    assert event.acting_partner == tailspin
    assert set(event.partner_links.values_list("partner_id", flat=True)) == {
        cast.provider.pk,
        tailspin.pk,
    }


def test_partnership_accept_can_sign_up_a_new_reseller_organization(cast, invite_reseller):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    services.partnership_accept(
        partnership_id=partnership.pk,
        new_reseller_name="Tailspin Toys",
        new_account=services.NewAccount("Boss", "boss@tailspin.test", "Very-Long-Pass-2026"),
    )
    partnership.refresh_from_db()
    reseller = partnership.reseller
    assert reseller.name == "Tailspin Toys"
    assert reseller.kind == Partner.Kind.INDIRECT_RESELLER
    assert reseller.status == Partner.Status.PENDING
    founder = PartnerMembership.objects.get(partner=reseller)
    assert founder.user.email == "boss@tailspin.test"
    assert founder.role == Role.GLOBAL_ADMIN
    assert actions() == [
        "partnership.invited",
        "partner.created",
        "team.joined",
        "partnership.accepted",
    ]


def test_partnership_accept_refuses_someone_who_is_not_global_admin_of_the_reseller(
    cast, invite_reseller
):
    tailspin = factories.make_reseller("Tailspin")
    agent = factories.make_member(tailspin, Role.ADMIN_AGENT)
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    with pytest.raises(ValidationError, match="Only a Global admin of Tailspin"):
        services.partnership_accept(partnership_id=partnership.pk, by=agent, reseller=tailspin)
    partnership.refresh_from_db()
    assert partnership.state == State.INVITED


def test_partnership_accept_refuses_a_non_reseller_organization(cast, invite_reseller):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "admin@litware.test")
    with pytest.raises(ValidationError, match="not an indirect reseller"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=cast.outsider, reseller=cast.other_provider
        )


def test_partnership_accept_refuses_a_duplicate_partnership(cast, invite_reseller):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "admin@fabrikam.test")
    with pytest.raises(ValidationError, match="already a reseller"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=cast.reseller_admin, reseller=cast.reseller
        )
    partnership.refresh_from_db()
    assert partnership.state == State.INVITED


def test_an_invitation_naming_a_reseller_is_only_for_that_reseller(cast, invite_reseller):
    tailspin = factories.make_reseller("Tailspin")
    factories.make_member(tailspin, Role.GLOBAL_ADMIN, user=cast.reseller_admin)
    other = factories.make_reseller("Wingtip")
    factories.make_member(other, Role.GLOBAL_ADMIN, user=cast.reseller_admin)
    partnership, _ = invite_reseller(
        cast.provider, cast.provider_admin, "admin@fabrikam.test", reseller=tailspin
    )
    with pytest.raises(ValidationError, match="This invitation is for Tailspin"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=cast.reseller_admin, reseller=other
        )
    with pytest.raises(ValidationError, match="This invitation is for Tailspin"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=cast.reseller_admin, new_reseller_name="New"
        )
    services.partnership_accept(
        partnership_id=partnership.pk, by=cast.reseller_admin, reseller=tailspin
    )


def test_an_expired_partnership_link_cannot_be_accepted(cast, invite_reseller):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    ResellerPartnership.objects.filter(pk=partnership.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ValidationError, match="expired"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=cast.reseller_admin, new_reseller_name="X"
        )


def test_a_suspended_provider_or_reseller_cannot_take_up_a_partnership(cast, invite_reseller):
    tailspin = factories.make_reseller("Tailspin", status=Partner.Status.SUSPENDED)
    boss = factories.make_member(tailspin, Role.GLOBAL_ADMIN)
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "boss@tailspin.test")
    with pytest.raises(ValidationError, match="Tailspin is suspended"):
        services.partnership_accept(partnership_id=partnership.pk, by=boss, reseller=tailspin)
    services.partner_suspend(partner=cast.provider)
    with pytest.raises(ValidationError, match="Contoso Distribution is suspended"):
        services.partnership_accept(
            partnership_id=partnership.pk, by=boss, new_reseller_name="Fresh"
        )
    partnership.refresh_from_db()
    assert partnership.state == State.INVITED
    assert not Partner.objects.filter(name="Fresh").exists()


def test_partnership_decline_records_who_and_when(cast, invite_reseller):
    partnership, _ = invite_reseller(cast.provider, cast.provider_admin, "admin@fabrikam.test")
    services.partnership_decline(partnership_id=partnership.pk, by=cast.reseller_admin)
    partnership.refresh_from_db()
    assert partnership.state == State.DECLINED
    assert partnership.responded_by == cast.reseller_admin
    assert partnership.responded_at is not None
    with pytest.raises(ValidationError, match="declined"):
        services.partnership_decline(partnership_id=partnership.pk)


def test_partnership_invitation_revoke_and_resend(
    cast, invite_reseller, django_capture_on_commit_callbacks
):
    partnership, token = invite_reseller(cast.provider, cast.provider_admin, "b@tailspin.test")
    with django_capture_on_commit_callbacks(execute=True):
        services.partnership_invitation_resend(
            partnership=partnership, by=cast.provider_admin, acting_partner=cast.provider
        )
    assert link_target_for_token(token) is None
    services.partnership_invitation_revoke(
        partnership=partnership, by=cast.provider_admin, acting_partner=cast.provider
    )
    partnership.refresh_from_db()
    assert partnership.state == State.REVOKED
    assert partnership.ended_by_partner == cast.provider
    with pytest.raises(ValidationError, match="Only an open invitation"):
        services.partnership_invitation_resend(partnership=partnership, by=cast.provider_admin)
    assert actions() == [
        "partnership.invited",
        "partnership.invitation_resent",
        "partnership.invitation_revoked",
    ]


def test_the_provider_suspends_reactivates_and_ends_a_partnership(cast):
    p = live_partnership(cast)
    kwargs = {"by": cast.provider_admin, "acting_partner": cast.provider}
    services.partnership_suspend(partnership=p, **kwargs)
    p.refresh_from_db()
    assert p.state == State.SUSPENDED
    assert p.suspended_by == cast.provider_admin
    services.partnership_reactivate(partnership=p, **kwargs)
    p.refresh_from_db()
    assert p.state == State.ACTIVE
    services.partnership_end(partnership=p, reason="Contract over", **kwargs)
    p.refresh_from_db()
    assert p.state == State.ENDED
    assert p.ended_by == cast.provider_admin
    assert p.ended_by_partner == cast.provider
    assert p.end_reason == "Contract over"
    assert actions() == ["partnership.suspended", "partnership.reactivated", "partnership.ended"]


@pytest.mark.parametrize(
    ("state", "service", "message"),
    [
        (State.SUSPENDED, services.partnership_suspend, "Only an active partnership"),
        (State.ENDED, services.partnership_suspend, "Only an active partnership"),
        (State.ACTIVE, services.partnership_reactivate, "Only a suspended partnership"),
        (State.ENDED, services.partnership_reactivate, "Only a suspended partnership"),
        (State.ENDED, services.partnership_end, "Only an active or suspended"),
    ],
)
def test_partnership_changes_refuse_the_wrong_state(cast, state, service, message):
    p = live_partnership(cast)
    ResellerPartnership.objects.filter(pk=p.pk).update(state=state)
    with pytest.raises(ValidationError, match=message):
        service(partnership=p, by=cast.provider_admin, acting_partner=cast.provider)
    assert not AuditEvent.objects.exists()


def test_the_reseller_can_end_but_not_suspend_or_reactivate(cast):
    p = live_partnership(cast)
    with pytest.raises(ValidationError, match="Only the provider"):
        services.partnership_suspend(
            partnership=p, by=cast.reseller_admin, acting_partner=cast.reseller
        )
    services.partnership_end(partnership=p, by=cast.reseller_admin, acting_partner=cast.reseller)
    p.refresh_from_db()
    assert p.state == State.ENDED
    assert p.ended_by_partner == cast.reseller


def test_another_provider_cannot_touch_the_partnership(cast):
    with pytest.raises(ValidationError, match="Only the provider"):
        services.partnership_end(
            partnership=live_partnership(cast),
            by=cast.outsider,
            acting_partner=cast.other_provider,
        )


def test_an_ended_pair_can_be_invited_again(cast, invite_reseller):
    services.partnership_end(partnership=live_partnership(cast), by=cast.provider_admin)
    partnership, _ = invite_reseller(
        cast.provider, cast.provider_admin, "admin@fabrikam.test", reseller=cast.reseller
    )
    services.partnership_accept(
        partnership_id=partnership.pk, by=cast.reseller_admin, reseller=cast.reseller
    )
    assert ResellerPartnership.objects.filter(state=State.ACTIVE).count() == 1


# ------------------------------------------------------------------------------
# What resellers may see
# ------------------------------------------------------------------------------
def test_only_an_active_partnership_lets_a_reseller_see_its_provider(cast):
    assert list(active_provider_ids_for_reseller(cast.reseller)) == [cast.provider.pk]
    p = live_partnership(cast)
    services.partnership_suspend(partnership=p, by=cast.provider_admin)
    assert list(active_provider_ids_for_reseller(cast.reseller)) == []
    services.partnership_reactivate(partnership=p, by=cast.provider_admin)
    assert list(active_provider_ids_for_reseller(cast.reseller)) == [cast.provider.pk]
    services.partnership_end(partnership=p, by=cast.reseller_admin)
    assert list(active_provider_ids_for_reseller(cast.reseller)) == []


def test_active_provider_ids_work_as_a_subquery(cast, django_assert_num_queries):
    with django_assert_num_queries(1):
        providers = list(
            Partner.objects.filter(pk__in=active_provider_ids_for_reseller(cast.reseller))
        )
    assert providers == [cast.provider]


def test_customers_brought_counts_active_relationships_through_that_reseller_only(cast):
    other_reseller = factories.make_reseller("Wingtip")
    factories.make_partnership(cast.provider, other_reseller)
    for _n in range(3):
        ResellerRelationship.objects.create(
            customer=factories.make_customer(), provider=cast.provider, reseller=cast.reseller
        )
    ResellerRelationship.objects.create(  # ended: not counted
        customer=factories.make_customer(),
        provider=cast.provider,
        reseller=cast.reseller,
        state=ResellerRelationship.State.ENDED,
        ended_at=timezone.now(),
    )
    ResellerRelationship.objects.create(  # direct: not counted
        customer=factories.make_customer(), provider=cast.provider
    )
    ResellerRelationship.objects.create(  # another provider's: not counted
        customer=factories.make_customer(), provider=cast.other_provider, reseller=cast.reseller
    )
    counts = {
        p.reseller.name: p.customers_count
        for p in reseller_partnerships_for_provider(cast.provider)
    }
    assert counts == {"Fabrikam Solutions": 3, "Wingtip": 0}
