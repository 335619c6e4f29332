from datetime import timedelta

from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.partners.links import new_token
from apps.partners.models import PartnerMembership, Role, TeamInvitation
from tests import factories


def team_url(partner) -> str:
    return reverse("partners:team", args=[partner.public_id])


def membership(user, partner) -> PartnerMembership:
    return PartnerMembership.objects.get(user=user, partner=partner)


def test_the_team_page_lists_members_roles_and_open_invitations(cast, client, invite_member):
    invite_member(cast.provider, cast.provider_admin, "new@contoso.test", Role.HELPDESK_AGENT)
    client.force_login(cast.provider_admin)
    page = client.get(team_url(cast.provider)).content.decode()
    for email in ("admin@contoso.test", "agent@contoso.test", "new@contoso.test"):
        assert email in page
    assert "Invite a team member" in page
    assert "Last Global admin: cannot be demoted or removed." in page
    assert "Resend" in page


def test_members_without_team_management_see_the_team_but_no_buttons(cast, client, invite_member):
    invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.force_login(cast.provider_helpdesk)
    page = client.get(team_url(cast.provider)).content.decode()
    assert "admin@contoso.test" in page
    assert "Invite a team member" not in page
    assert "Change role" not in page
    assert "Resend" not in page


def test_a_global_admin_invites_a_team_member(cast, client, django_capture_on_commit_callbacks):
    client.force_login(cast.provider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:team_invite", args=[cast.provider.public_id]),
            {"email": "New@Contoso.test", "role": Role.ADMIN_AGENT},
        )
    assert response["Location"] == team_url(cast.provider)
    invitation = TeamInvitation.objects.get()
    assert (invitation.email, invitation.role) == ("new@contoso.test", Role.ADMIN_AGENT)
    assert mail.outbox[0].to == ["new@contoso.test"]


def test_inviting_a_current_member_says_so_and_creates_nothing(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(
        reverse("partners:team_invite", args=[cast.provider.public_id]),
        {"email": "sales@contoso.test", "role": Role.ADMIN_AGENT},
    )
    assert response.status_code == 200
    assert "sales@contoso.test is already a member of Contoso Distribution" in (
        response.content.decode()
    )
    assert not TeamInvitation.objects.exists()
    assert mail.outbox == []


def test_a_pending_organization_cannot_invite_yet(cast, client):
    cast.provider.status = "pending"
    cast.provider.save()
    client.force_login(cast.provider_admin)
    response = client.get(reverse("partners:team_invite", args=[cast.provider.public_id]))
    assert response.status_code == 403
    assert "not active" in response.content.decode()


def test_a_sales_agent_is_told_only_global_admins_manage_the_team(cast, client):
    client.force_login(cast.provider_sales)
    response = client.get(reverse("partners:team_invite", args=[cast.provider.public_id]))
    assert response.status_code == 403
    assert "Only Global admins can do this" in response.content.decode()


def test_a_role_change_takes_effect_on_the_very_next_request(cast, client):
    second_admin = factories.make_member(cast.provider, Role.GLOBAL_ADMIN)
    invite_url = reverse("partners:team_invite", args=[cast.provider.public_id])
    other = client.__class__()
    other.force_login(second_admin)
    assert other.get(invite_url).status_code == 200
    client.force_login(cast.provider_admin)
    response = client.post(
        reverse(
            "partners:member_role",
            args=[cast.provider.public_id, membership(second_admin, cast.provider).pk],
        ),
        {"role": Role.SALES_AGENT},
    )
    assert response.status_code == 302
    assert other.get(invite_url).status_code == 403
    assert AuditEvent.objects.filter(action="team.role_changed").count() == 1


def test_promoting_a_member_gives_them_the_capabilities_at_once(cast, client):
    client.force_login(cast.provider_admin)
    client.post(
        reverse(
            "partners:member_role",
            args=[cast.provider.public_id, membership(cast.provider_helpdesk, cast.provider).pk],
        ),
        {"role": Role.GLOBAL_ADMIN},
    )
    client.force_login(cast.provider_helpdesk)
    url = reverse("partners:team_invite", args=[cast.provider.public_id])
    assert client.get(url).status_code == 200


def test_the_last_global_admin_cannot_demote_themselves_through_the_page(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(
        reverse(
            "partners:member_role",
            args=[cast.provider.public_id, membership(cast.provider_admin, cast.provider).pk],
        ),
        {"role": Role.SALES_AGENT},
        follow=True,
    )
    assert "always keeps at least one Global admin" in response.content.decode()
    assert membership(cast.provider_admin, cast.provider).role == Role.GLOBAL_ADMIN


def test_an_unknown_role_is_refused(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(
        reverse(
            "partners:member_role",
            args=[cast.provider.public_id, membership(cast.provider_sales, cast.provider).pk],
        ),
        {"role": "owner"},
        follow=True,
    )
    assert "Choose one of the roles" in response.content.decode()
    assert membership(cast.provider_sales, cast.provider).role == Role.SALES_AGENT


def test_a_member_of_another_organization_is_404(cast, client):
    client.force_login(cast.provider_admin)
    reseller_membership = membership(cast.reseller_admin, cast.reseller)
    for name in ("partners:member_role", "partners:member_remove"):
        response = client.post(
            reverse(name, args=[cast.provider.public_id, reseller_membership.pk]),
            {"role": Role.SALES_AGENT},
        )
        assert response.status_code == 404
    assert membership(cast.reseller_admin, cast.reseller).role == Role.GLOBAL_ADMIN


def test_removing_a_member_ends_their_access_at_once(cast, client):
    client.force_login(cast.provider_admin)
    url = reverse(
        "partners:member_remove",
        args=[cast.provider.public_id, membership(cast.provider_sales, cast.provider).pk],
    )
    assert "Remove sales@contoso.test" in client.get(url).content.decode()
    assert client.post(url, {"confirm": "yes"})["Location"] == team_url(cast.provider)
    client.force_login(cast.provider_sales)
    assert client.get(team_url(cast.provider)).status_code == 404


def test_the_last_global_admin_cannot_be_removed_through_the_page(cast, client):
    client.force_login(cast.provider_admin)
    url = reverse(
        "partners:member_remove",
        args=[cast.provider.public_id, membership(cast.provider_admin, cast.provider).pk],
    )
    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "always keeps at least one Global admin" in response.content.decode()
    assert PartnerMembership.objects.filter(user=cast.provider_admin).exists()


def test_a_global_admin_who_removes_themselves_goes_to_the_dashboard(cast, client):
    factories.make_member(cast.provider, Role.GLOBAL_ADMIN)
    client.force_login(cast.provider_admin)
    url = reverse(
        "partners:member_remove",
        args=[cast.provider.public_id, membership(cast.provider_admin, cast.provider).pk],
    )
    assert client.post(url, {"confirm": "yes"})["Location"] == reverse("dashboard")


def test_resending_and_revoking_an_invitation_from_the_team_page(
    cast, client, invite_member, django_capture_on_commit_callbacks
):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    client.force_login(cast.provider_admin)
    args = [cast.provider.public_id, invitation.pk]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:team_invitation_resend", args=args))
    assert len(mail.outbox) == 2
    client.post(reverse("partners:team_invitation_revoke", args=args), {"confirm": "yes"})
    assert TeamInvitation.objects.get().status == TeamInvitation.Status.REVOKED
    response = client.post(
        reverse("partners:team_invitation_revoke", args=args), {"confirm": "yes"}, follow=True
    )
    assert "cannot be revoked" in response.content.decode()


def test_another_organizations_invitation_is_404(cast, client, invite_member):
    invitation, _ = invite_member(cast.reseller, cast.reseller_admin, "new@fabrikam.test")
    client.force_login(cast.provider_admin)
    response = client.post(
        reverse("partners:team_invitation_revoke", args=[cast.provider.public_id, invitation.pk])
    )
    assert response.status_code == 404
    assert TeamInvitation.objects.get().status == TeamInvitation.Status.PENDING


def add_members_and_invitations(partner, start: int, stop: int) -> None:
    users = User.objects.bulk_create(
        User(email=f"member{i}@{partner.public_id.lower()}.test", display_name=f"M{i}")
        for i in range(start, stop)
    )
    PartnerMembership.objects.bulk_create(
        PartnerMembership(user=u, partner=partner, role=Role.SALES_AGENT) for u in users
    )
    expires = timezone.now() + timedelta(days=7)
    TeamInvitation.objects.bulk_create(
        TeamInvitation(
            partner=partner,
            email=f"invitee{i}@example.test",
            role=Role.HELPDESK_AGENT,
            token_hash=new_token()[1],
            invited_by=users[0],
            expires_at=expires,
        )
        for i in range(start, stop)
    )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_team_page_runs_the_same_queries_for_3_or_300_rows(cast, client):
    client.force_login(cast.provider_admin)
    url = team_url(cast.provider)
    add_members_and_invitations(cast.provider, 0, 3)
    with_3 = count_queries(client, url)
    add_members_and_invitations(cast.provider, 3, 300)
    with_300 = count_queries(client, url)
    assert with_3 == with_300 <= 12
    assert with_300 == count_queries(client, url + "?page=3&invitations_page=2")
