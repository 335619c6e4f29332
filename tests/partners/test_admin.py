"""Operator side in Django admin: every change goes through the services (audit events,
rules), refusals come back as messages."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.partners.models import (
    Partner,
    PartnerMembership,
    ResellerPartnership,
    Role,
    TeamInvitation,
)
from tests import factories


@pytest.fixture
def admin_client(cast, client):
    client.force_login(cast.staff)
    return client


def test_the_partner_list_filters_and_searches(cast, admin_client):
    url = reverse("admin:partners_partner_changelist")
    response = admin_client.get(url, {"kind__exact": "indirect_reseller"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Fabrikam Solutions" in page and "Contoso Distribution" not in page
    response = admin_client.get(url, {"q": cast.provider.public_id})
    assert "Contoso Distribution" in response.content.decode()


def test_the_partner_page_shows_members_and_partnerships(cast, admin_client):
    url = reverse("admin:partners_partner_change", args=[cast.provider.pk])
    page = admin_client.get(url).content.decode()
    assert "admin@contoso.test" in page
    assert "Fabrikam Solutions" in page


def test_operator_creates_a_partner_and_invites_its_first_global_admin(
    db, cast, admin_client, django_capture_on_commit_callbacks
):
    url = reverse("admin:partners_partner_add")
    assert "first Global admin" in admin_client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            url,
            {
                "name": "Adventure Works",
                "kind": "direct_partner",
                "first_admin_email": "boss@adventureworks.test",
                "contact_email": "",
                "country": "CN",
                "status": "pending",
            },
        )
    partner = Partner.objects.get(name="Adventure Works")
    assert response["Location"] == reverse("admin:partners_partner_change", args=[partner.pk])
    assert partner.status == Partner.Status.PENDING
    assert TeamInvitation.objects.get(partner=partner).role == Role.GLOBAL_ADMIN
    assert mail.outbox[-1].to == ["boss@adventureworks.test"]
    event = AuditEvent.objects.get(action="partner.created")
    assert event.actor == cast.staff


def test_the_create_form_shows_errors_and_creates_nothing(cast, admin_client):
    response = admin_client.post(
        reverse("admin:partners_partner_add"),
        {"name": "", "kind": "direct_partner", "first_admin_email": "nope", "status": "active"},
    )
    assert response.status_code == 200
    assert Partner.objects.count() == 3


def test_approve_and_suspend_actions_call_the_services(cast, admin_client):
    pending = factories.make_reseller("Wingtip", status=Partner.Status.PENDING)
    url = reverse("admin:partners_partner_changelist")
    admin_client.post(url, {"action": "approve", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == Partner.Status.ACTIVE
    response = admin_client.post(
        url, {"action": "suspend", "_selected_action": [pending.pk, cast.provider.pk]}, follow=True
    )
    assert "2 partners suspended" in response.content.decode()
    response = admin_client.post(
        url, {"action": "suspend", "_selected_action": [pending.pk]}, follow=True
    )
    assert "already suspended" in response.content.decode()
    events = AuditEvent.objects.exclude(action="account.signed_in").order_by("id")
    assert list(events.values_list("action", flat=True)) == [
        "partner.approved",
        "partner.suspended",
        "partner.suspended",
    ]


def test_editing_a_partner_records_the_change(cast, admin_client):
    url = reverse("admin:partners_partner_change", args=[cast.provider.pk])
    admin_client.post(
        url,
        {
            "name": "Contoso China",
            "contact_email": "",
            "country": "CN",
            # the inlines are read-only, but their management forms are still posted
            **inline_management(cast, admin_client, url),
        },
    )
    cast.provider.refresh_from_db()
    assert cast.provider.name == "Contoso China"
    assert AuditEvent.objects.filter(action="partner.updated").count() == 1


def inline_management(cast, client, url) -> dict:
    form = client.get(url).context["inline_admin_formsets"]
    data = {}
    for inline in form:
        prefix = inline.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = inline.formset.total_form_count()
        data[f"{prefix}-INITIAL_FORMS"] = inline.formset.initial_form_count()
        for i, sub in enumerate(inline.formset.forms):
            data[f"{prefix}-{i}-id"] = sub.instance.pk
            fk = inline.formset.fk.name
            data[f"{prefix}-{i}-{fk}"] = cast.provider.pk
    return data


def test_demoting_the_last_global_admin_in_admin_is_refused_with_a_message(cast, admin_client):
    m = PartnerMembership.objects.get(user=cast.provider_admin)
    url = reverse("admin:partners_partnermembership_change", args=[m.pk])
    response = admin_client.post(url, {"role": Role.SALES_AGENT})
    assert response.status_code == 200
    assert "always keeps at least one Global admin" in response.content.decode()
    m.refresh_from_db()
    assert m.role == Role.GLOBAL_ADMIN


def test_changing_a_role_in_admin_records_it(cast, admin_client):
    m = PartnerMembership.objects.get(user=cast.provider_sales)
    url = reverse("admin:partners_partnermembership_change", args=[m.pk])
    admin_client.post(url, {"role": Role.ADMIN_AGENT})
    m.refresh_from_db()
    assert m.role == Role.ADMIN_AGENT
    assert AuditEvent.objects.get(action="team.role_changed").actor == cast.staff


def test_deleting_the_last_global_admin_in_admin_is_refused_with_a_message(cast, admin_client):
    m = PartnerMembership.objects.get(user=cast.provider_admin)
    url = reverse("admin:partners_partnermembership_delete", args=[m.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert "always keeps at least one Global admin" in response.content.decode()
    assert PartnerMembership.objects.filter(pk=m.pk).exists()


def test_adding_a_member_in_admin_goes_through_the_service(cast, admin_client):
    user = factories.make_user("extra@contoso.test")
    response = admin_client.post(
        reverse("admin:partners_partnermembership_add"),
        {"user": user.pk, "partner": cast.provider.pk, "role": Role.HELPDESK_AGENT},
    )
    assert response.status_code == 302
    assert PartnerMembership.objects.get(user=user).role == Role.HELPDESK_AGENT
    assert AuditEvent.objects.get(action="team.member_added").actor == cast.staff


def test_inviting_a_team_member_in_admin_does_what_the_team_page_does(
    cast, admin_client, django_capture_on_commit_callbacks
):
    url = reverse("admin:partners_teaminvitation_add")
    data = {"partner": cast.provider.pk, "email": "New@Contoso.test", "role": Role.SALES_AGENT}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data)
    assert response.status_code == 302
    invitation = TeamInvitation.objects.get(email="new@contoso.test")
    assert invitation.invited_by == cast.staff
    assert AuditEvent.objects.get(action="team.invited").actor == cast.staff
    (message,) = mail.outbox
    assert message.to == ["new@contoso.test"]
    # the same rule as the team page, on the form; nothing saved, nothing sent
    with django_capture_on_commit_callbacks(execute=True):
        again = admin_client.post(url, data)
    assert again.status_code == 200
    assert "An invitation to new@contoso.test is already open" in again.content.decode()
    assert TeamInvitation.objects.filter(email="new@contoso.test").count() == 1
    assert AuditEvent.objects.filter(action="team.invited").count() == 1
    assert len(mail.outbox) == 1


def test_team_invitations_are_resent_and_revoked_by_actions(
    cast, admin_client, invite_member, django_capture_on_commit_callbacks
):
    invitation, _ = invite_member(cast.provider, cast.provider_admin, "new@contoso.test")
    url = reverse("admin:partners_teaminvitation_changelist")
    assert "new@contoso.test" in admin_client.get(url, {"status": "pending"}).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"action": "resend", "_selected_action": [invitation.pk]})
    assert len(mail.outbox) == 2
    admin_client.post(url, {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.status == TeamInvitation.Status.REVOKED


def test_partnership_actions_and_filters(cast, admin_client):
    p = ResellerPartnership.objects.get()
    url = reverse("admin:partners_resellerpartnership_changelist")
    response = admin_client.get(
        url, {"state__exact": "active", "provider__id__exact": cast.provider.pk}
    )
    assert "Fabrikam Solutions" in response.content.decode()
    admin_client.post(url, {"action": "suspend", "_selected_action": [p.pk]})
    p.refresh_from_db()
    assert p.state == ResellerPartnership.State.SUSPENDED
    admin_client.post(url, {"action": "end", "_selected_action": [p.pk]})
    p.refresh_from_db()
    assert p.state == ResellerPartnership.State.ENDED
    assert p.ended_by == cast.staff
    assert (
        admin_client.get(
            reverse("admin:partners_resellerpartnership_change", args=[p.pk])
        ).status_code
        == 200
    )


def test_an_operator_can_invite_a_reseller_for_a_provider(
    cast, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:partners_resellerpartnership_add"),
            {
                "provider": cast.other_provider.pk,
                "invited_email": "x@tailspin.test",
                "reseller": "",
            },
        )
    assert response.status_code == 302
    assert ResellerPartnership.objects.get(provider=cast.other_provider).state == "invited"
    assert mail.outbox[-1].to == ["x@tailspin.test"]


def test_view_only_staff_see_partners_but_cannot_run_actions(cast, client):
    auditor = factories.make_user("auditor@example.test", is_staff=True)
    auditor.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_partner", "view_resellerpartnership"])
    )
    client.force_login(auditor)
    url = reverse("admin:partners_partner_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert "Approve selected partners" not in response.content.decode()
    client.post(url, {"action": "suspend", "_selected_action": [cast.provider.pk]})
    cast.provider.refresh_from_db()
    assert cast.provider.status == Partner.Status.ACTIVE
    assert client.get(reverse("admin:partners_partner_add")).status_code == 403
