from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.invitations.models import Delivery, Invitation
from apps.partners.mixins import DENIED_MESSAGES
from tests import factories

from .builders import make_delivery, make_invitation

CHANGELIST = "admin:invitations_invitation_changelist"
ADD = "admin:invitations_invitation_add"


def add_data(provider, **overrides):
    data = {"provider": provider.pk, "kind": "open", "valid_days": "", "message": ""}
    data.update(overrides)
    return data


def test_the_changelist_lists_filters_and_searches(cast, client):
    active = make_invitation(cast.provider, cast.reseller)
    expired = make_invitation(cast.provider, expires_at=timezone.now() - timedelta(days=1))
    client.force_login(cast.staff)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert {active, expired} == set(response.context["cl"].result_list)
    response = client.get(reverse(CHANGELIST), {"status": "expired"})
    assert list(response.context["cl"].result_list) == [expired]
    response = client.get(reverse(CHANGELIST), {"q": active.public_id})
    assert list(response.context["cl"].result_list) == [active]
    response = client.get(reverse(CHANGELIST), {"q": "fabrikam"})
    assert list(response.context["cl"].result_list) == [active]


def test_the_changelist_costs_the_same_queries_for_3_and_30_rows(cast, client):
    client.force_login(cast.staff)
    for _ in range(3):
        make_invitation(cast.provider, cast.reseller)
    client.get(reverse(CHANGELIST))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(CHANGELIST))
    for _ in range(27):
        make_invitation(cast.provider, cast.reseller)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(CHANGELIST))
    assert len(large.captured_queries) == len(small.captured_queries)


def test_adding_goes_through_the_service(cast, client, services):
    client.force_login(cast.staff)
    response = client.post(
        reverse(ADD),
        add_data(
            cast.provider,
            reseller=cast.reseller.pk,
            requests_dap="on",
            services=[services["azure"].pk],
            dap_support="on",
            valid_days="5",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    invitation = Invitation.objects.get()
    assert invitation.created_by == cast.staff
    assert invitation.dap_recipient == cast.reseller
    assert invitation.expires_at <= timezone.now() + timedelta(days=5)
    event = AuditEvent.objects.get(action="invitation.created")
    assert event.actor == cast.staff


def test_adding_a_personal_invitation_in_admin_emails_it_after_commit_as_the_portal_does(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse(ADD),
            add_data(
                cast.provider,
                kind="personal",
                recipient_email="admin@adventure.test",
                send_to_recipient="on",
            ),
        )
        # validated, created, audited in the request; nothing sent before the commit
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert mailoutbox == []
    for callback in callbacks:
        callback()
    invitation = Invitation.objects.get()
    (delivery,) = Delivery.objects.filter(invitation=invitation)
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.send_attempts == 1
    (message,) = mailoutbox
    assert message.to == ["admin@adventure.test"]
    assert message.subject == "Contoso Distribution invites you to a CSP partner relationship"
    assert AuditEvent.objects.filter(action="invitation.created", actor=cast.staff).count() == 1
    assert AuditEvent.objects.filter(action="invitation.delivered").count() == 1


def test_a_refused_invitation_in_admin_sends_and_saves_nothing(
    cast, client, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(ADD),
            add_data(
                cast.reseller, kind="personal", recipient_email="a@b.test", send_to_recipient="on"
            ),
        )
    assert response.status_code == 200
    assert str(DENIED_MESSAGES["invitations.create"]) in response.content.decode()
    assert not Invitation.objects.exists() and not Delivery.objects.exists()
    assert mailoutbox == []


def test_adding_a_reseller_as_provider_is_refused_with_the_clear_message(cast, client):
    client.force_login(cast.staff)
    response = client.post(reverse(ADD), add_data(cast.reseller))
    assert response.status_code == 200
    assert str(DENIED_MESSAGES["invitations.create"]) in response.content.decode()
    assert not Invitation.objects.exists()


def test_adding_with_a_broken_rule_shows_the_services_message(cast, client):
    client.force_login(cast.staff)
    response = client.post(reverse(ADD), add_data(cast.provider, kind="personal"))
    assert response.status_code == 200
    assert "needs the recipient" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_change_page_is_read_only(cast, client):
    invitation = make_invitation(cast.provider, message="original")
    make_delivery(invitation)
    client.force_login(cast.staff)
    change = reverse("admin:invitations_invitation_change", args=[invitation.pk])
    response = client.get(change)
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    client.post(change, {"message": "changed"})
    invitation.refresh_from_db()
    assert invitation.message == "original"


def test_the_revoke_action_calls_the_service(cast, client):
    first = make_invitation(cast.provider, cast.reseller)
    second = make_invitation(cast.provider)
    make_invitation(cast.provider, status=Invitation.Status.REVOKED, revoked_at=timezone.now())
    client.force_login(cast.staff)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "revoke", "_selected_action": [i.pk for i in Invitation.objects.all()]},
        follow=True,
    )
    body = response.content.decode()
    assert "2 invitations revoked." in body
    assert "1 invitation was already revoked." in body
    for invitation in (first, second):
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED
        assert invitation.revoked_by == cast.staff
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 2


def test_staff_who_may_only_view_cannot_revoke(cast, client):
    invitation = make_invitation(cast.provider)
    viewer = factories.make_user("viewer@operator.test", is_staff=True)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            codename__startswith="view_", content_type__app_label="invitations"
        )
    )
    client.force_login(viewer)
    assert client.get(reverse(CHANGELIST)).status_code == 200
    client.post(reverse(CHANGELIST), {"action": "revoke", "_selected_action": [invitation.pk]})
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACTIVE
    assert client.get(reverse(ADD)).status_code == 403


@pytest.mark.parametrize("model", ["delivery", "acceptance"])
def test_deliveries_and_answers_cannot_be_added_changed_or_deleted(cast, client, model):
    delivery = make_delivery(make_invitation(cast.provider))
    client.force_login(cast.staff)
    assert client.get(reverse(f"admin:invitations_{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:invitations_{model}_add")).status_code == 403
    if model == "delivery":
        change = reverse("admin:invitations_delivery_change", args=[delivery.pk])
        assert client.get(change).status_code == 200
        client.post(change, {"email": "other@x.test"})
        assert Delivery.objects.get(pk=delivery.pk).email == delivery.email
        delete = reverse("admin:invitations_delivery_delete", args=[delivery.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert Delivery.objects.filter(pk=delivery.pk).exists()
