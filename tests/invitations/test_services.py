from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.core.models import OutboundEmail
from apps.core.outbox import deliver
from apps.invitations.models import Delivery, Invitation
from apps.invitations.services import (
    delivery_record_open,
    delivery_resend,
    delivery_send,
    invitation_create,
    invitation_record_dead_link_use,
    invitation_revoke,
)
from apps.invitations.tokens import delivery_url, resolve_token
from apps.partners.mixins import DENIED_MESSAGES
from apps.partners.models import Partner, ResellerPartnership, Role
from tests import factories

from .builders import make_delivery, make_invitation


def events(action):
    return AuditEvent.objects.filter(action=action)


def concerned(event):
    return set(event.partner_links.values_list("partner_id", flat=True))


# ------------------------------------------------------------------------------
# invitation_create
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["provider_admin", "provider_agent", "provider_sales"])
def test_provider_staff_who_may_create_create_an_invitation(cast, role):
    invitation = invitation_create(provider=cast.provider, by=getattr(cast, role))
    assert invitation.provider == cast.provider
    assert invitation.kind == Invitation.Kind.OPEN
    assert invitation.effective_status == "active"


def test_a_direct_partner_creates_invitations_too(cast):
    direct = factories.make_partner("Direct Co", kind=Partner.Kind.DIRECT_PARTNER)
    user = factories.make_member(direct, Role.SALES_AGENT)
    assert invitation_create(provider=direct, by=user).provider == direct


def test_a_reseller_is_refused_with_the_clear_message(cast):
    with pytest.raises(ValidationError) as exc:
        invitation_create(provider=cast.reseller, by=cast.reseller_admin)
    assert str(DENIED_MESSAGES["invitations.create"]) in exc.value.messages
    assert not Invitation.objects.exists()
    assert not events("invitation.created").exists()


def test_a_reseller_cannot_pass_its_provider_as_provider(cast):
    with pytest.raises(PermissionDenied):
        invitation_create(provider=cast.provider, by=cast.reseller_admin)
    assert not Invitation.objects.exists()


def test_a_helpdesk_agent_is_refused(cast):
    with pytest.raises(PermissionDenied):
        invitation_create(provider=cast.provider, by=cast.provider_helpdesk)
    assert not Invitation.objects.exists()


def test_an_outsider_is_refused(cast):
    with pytest.raises(PermissionDenied):
        invitation_create(provider=cast.provider, by=cast.outsider)


def test_a_suspended_provider_cannot_create(cast):
    Partner.objects.filter(pk=cast.provider.pk).update(status=Partner.Status.SUSPENDED)
    cast.provider.refresh_from_db()
    with pytest.raises(ValidationError):
        invitation_create(provider=cast.provider, by=cast.provider_admin)


def test_operator_staff_may_create_for_a_provider(cast):
    invitation = invitation_create(provider=cast.provider, by=cast.staff)
    assert invitation.created_by == cast.staff


def test_the_invitation_for_an_active_reseller_gives_it_the_dap(dap_invitation, cast, services):
    assert dap_invitation.reseller == cast.reseller
    assert dap_invitation.dap_recipient == cast.reseller
    assert set(dap_invitation.services.all()) == {services["office365"], services["azure"]}
    assert dap_invitation.dap_provisioning and dap_invitation.dap_support


def test_an_own_link_gives_the_dap_to_the_provider(cast, services):
    invitation = invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        requests_dap=True,
        services=[services["azure"]],
        dap_support=True,
    )
    assert invitation.dap_recipient == cast.provider
    assert not invitation.dap_provisioning


@pytest.mark.parametrize(
    "state",
    [
        ResellerPartnership.State.SUSPENDED,
        ResellerPartnership.State.ENDED,
        ResellerPartnership.State.INVITED,
    ],
)
def test_a_reseller_without_an_active_partnership_is_refused(cast, state):
    ResellerPartnership.objects.filter(provider=cast.provider).update(state=state)
    with pytest.raises(ValidationError) as exc:
        invitation_create(provider=cast.provider, by=cast.provider_admin, reseller=cast.reseller)
    assert "reseller" in exc.value.message_dict


def test_another_providers_reseller_is_refused(cast):
    stranger = factories.make_reseller("Stranger Resale")
    factories.make_partnership(cast.other_provider, stranger)
    with pytest.raises(ValidationError) as exc:
        invitation_create(provider=cast.provider, by=cast.provider_admin, reseller=stranger)
    assert "not an active reseller" in exc.value.message_dict["reseller"][0]


def test_a_personal_invitation_needs_a_recipient_and_is_single_use(cast):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider, by=cast.provider_admin, kind=Invitation.Kind.PERSONAL
        )
    assert "recipient_email" in exc.value.message_dict
    invitation = invitation_create(
        provider=cast.provider,
        by=cast.provider_admin,
        kind=Invitation.Kind.PERSONAL,
        recipient_email=" Admin@Northwind.test ",
    )
    assert invitation.recipient_email == "admin@northwind.test"
    assert invitation.max_uses == 1


def test_a_personal_invitation_refuses_a_use_limit_above_one(cast):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider,
            by=cast.provider_admin,
            kind=Invitation.Kind.PERSONAL,
            recipient_email="a@b.test",
            max_uses=5,
        )
    assert "max_uses" in exc.value.message_dict


def test_an_open_invitation_has_no_recipient(cast):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider, by=cast.provider_admin, recipient_email="a@b.test"
        )
    assert "recipient_email" in exc.value.message_dict


def test_an_open_invitation_takes_an_optional_use_limit(cast):
    invitation = invitation_create(provider=cast.provider, by=cast.provider_admin, max_uses=3)
    assert invitation.max_uses == 3
    with pytest.raises(ValidationError):
        invitation_create(provider=cast.provider, by=cast.provider_admin, max_uses=0)


def test_asking_dap_needs_services_and_a_scope(cast, services):
    with pytest.raises(ValidationError) as exc:
        invitation_create(provider=cast.provider, by=cast.provider_admin, requests_dap=True)
    assert {"services", "dap_provisioning"} <= set(exc.value.message_dict)


def test_services_without_asking_dap_are_refused_not_dropped(cast, services):
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider,
            by=cast.provider_admin,
            services=[services["azure"]],
            dap_support=True,
        )
    assert "requests_dap" in exc.value.message_dict


def test_a_service_no_longer_offered_is_refused(cast, services):
    retired = services["powerbi"]
    retired.is_active = False
    retired.save()
    with pytest.raises(ValidationError) as exc:
        invitation_create(
            provider=cast.provider,
            by=cast.provider_admin,
            requests_dap=True,
            services=[retired],
            dap_support=True,
        )
    assert "no longer offered" in exc.value.message_dict["services"][0]


def test_expiry_defaults_to_the_setting_and_is_bounded(cast, settings):
    settings.INVITATION_DEFAULT_DAYS = 10
    settings.INVITATION_MAX_DAYS = 20
    before = timezone.now()
    invitation = invitation_create(provider=cast.provider, by=cast.provider_admin)
    assert (
        before + timedelta(days=10) <= invitation.expires_at <= timezone.now() + timedelta(days=10)
    )
    for days in (0, 21, -3):
        with pytest.raises(ValidationError) as exc:
            invitation_create(provider=cast.provider, by=cast.provider_admin, valid_days=days)
        assert "valid_days" in exc.value.message_dict


def test_a_message_too_long_is_refused(cast):
    with pytest.raises(ValidationError) as exc:
        invitation_create(provider=cast.provider, by=cast.provider_admin, message="x" * 2001)
    assert "message" in exc.value.message_dict


def test_creating_records_one_event_concerning_provider_and_reseller(dap_invitation, cast):
    event = events("invitation.created").get()
    assert event.actor == cast.provider_admin
    assert event.acting_partner == cast.provider
    assert concerned(event) == {cast.provider.pk, cast.reseller.pk}
    assert event.data["services"] == ["azure", "office365"]
    assert dap_invitation.link_key not in str(event.data)


def test_a_personal_invitation_can_be_emailed_on_creation(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            provider=cast.provider,
            by=cast.provider_sales,
            kind=Invitation.Kind.PERSONAL,
            recipient_email="it@northwind.test",
            send_to_recipient=True,
        )
    delivery = invitation.deliveries.get()
    assert delivery.email == "it@northwind.test"
    assert delivery.sent_at is not None
    assert mail.outbox[0].to == ["it@northwind.test"]
    assert events("invitation.delivered").count() == 1


# ------------------------------------------------------------------------------
# delivery_send (deliver and forward)
# ------------------------------------------------------------------------------
def test_provider_staff_deliver_one_link_per_address(
    dap_invitation, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deliveries = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_sales,
            emails="a@northwind.test, B@Northwind.test\nb@northwind.test",
            message="Please have a look.",
        )
    assert [d.email for d in deliveries] == ["a@northwind.test", "b@northwind.test"]
    assert len({d.link_key for d in deliveries}) == 2
    assert len(mail.outbox) == 2
    for delivery, message in zip(deliveries, mail.outbox, strict=True):
        delivery.refresh_from_db()
        assert delivery.sent_at is not None and delivery.send_attempts == 1
        assert message.to == [delivery.email]
        assert delivery_url(delivery) in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and delivery_url(delivery) in html
        assert "Please have a look." in message.body
        assert message.reply_to == [cast.provider_sales.email]
    assert events("invitation.delivered").count() == 2
    assert not events("invitation.forwarded").exists()
    assert concerned(events("invitation.delivered").first()) == {
        cast.provider.pk,
        cast.reseller.pk,
    }


def test_an_empty_message_sends_the_ready_text(
    dap_invitation, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["a@northwind.test"],
        )
    body = mail.outbox[0].body
    assert "Contoso Distribution" in body and "Fabrikam Solutions" in body
    assert "for Office 365 operated by 21Vianet, Azure operated by 21Vianet to Fabrikam" in body


def test_a_reseller_forwards_its_providers_invitation(
    dap_invitation, cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = delivery_send(
            invitation=dap_invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["it@northwind.test"],
        )
    assert delivery.sent_by_partner == cast.reseller
    assert delivery.sent_by_partner_id != delivery.invitation.provider_id
    event = events("invitation.forwarded").get()
    assert event.acting_partner == cast.reseller
    assert concerned(event) == {cast.provider.pk, cast.reseller.pk}
    assert not events("invitation.delivered").exists()
    assert len(mail.outbox) == 1


def test_a_reseller_cannot_forward_the_providers_own_link(own_invitation, cast):
    with pytest.raises(PermissionDenied):
        delivery_send(
            invitation=own_invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["x@y.test"],
        )
    assert not Delivery.objects.exists()


def test_a_reseller_cannot_forward_another_resellers_invitation(cast):
    other = factories.make_reseller("Tailspin")
    factories.make_partnership(cast.provider, other)
    invitation = make_invitation(cast.provider, other)
    with pytest.raises(PermissionDenied):
        delivery_send(
            invitation=invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["x@y.test"],
        )


@pytest.mark.parametrize(
    "state", [ResellerPartnership.State.SUSPENDED, ResellerPartnership.State.ENDED]
)
def test_a_reseller_whose_partnership_is_not_active_cannot_forward(dap_invitation, cast, state):
    ResellerPartnership.objects.filter(provider=cast.provider).update(state=state)
    with pytest.raises(PermissionDenied):
        delivery_send(
            invitation=dap_invitation,
            partner=cast.reseller,
            by=cast.reseller_admin,
            emails=["x@y.test"],
        )


def test_a_member_must_act_for_the_partner_they_send_for(dap_invitation, cast):
    with pytest.raises(PermissionDenied):
        delivery_send(
            invitation=dap_invitation,
            partner=cast.reseller,
            by=cast.provider_admin,
            emails=["x@y.test"],
        )
    with pytest.raises(PermissionDenied):
        delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_helpdesk,
            emails=["x@y.test"],
        )


@pytest.mark.parametrize("problem", ["revoked", "expired", "used"])
def test_an_unusable_invitation_is_not_sent(cast, problem):
    invitation = make_invitation(cast.provider, max_uses=1)
    if problem == "revoked":
        Invitation.objects.filter(pk=invitation.pk).update(
            status=Invitation.Status.REVOKED, revoked_at=timezone.now()
        )
    elif problem == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    else:
        Invitation.objects.filter(pk=invitation.pk).update(use_count=1)
    with pytest.raises(ValidationError) as exc:
        delivery_send(
            invitation=invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["x@y.test"],
        )
    assert exc.value.code == problem
    assert not Delivery.objects.exists()


def test_a_personal_invitation_goes_to_its_recipient_only(cast):
    invitation = make_invitation(
        cast.provider, kind=Invitation.Kind.PERSONAL, recipient_email="it@northwind.test"
    )
    with pytest.raises(ValidationError) as exc:
        delivery_send(
            invitation=invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["it@northwind.test", "boss@northwind.test"],
        )
    assert "boss@northwind.test" in exc.value.messages[0]
    assert not Delivery.objects.exists()
    delivery_send(
        invitation=invitation,
        partner=cast.provider,
        by=cast.provider_admin,
        emails=["IT@northwind.test"],
    )
    assert invitation.deliveries.count() == 1


@pytest.mark.parametrize(
    "emails, words",
    [
        ("", "at least one"),
        ("not-an-email, a@b.test", "not-an-email"),
        (", ".join(f"u{i}@x.test" for i in range(21)), "at most 20"),
    ],
)
def test_bad_address_lists_are_refused_and_nothing_is_saved(dap_invitation, cast, emails, words):
    with pytest.raises(ValidationError) as exc:
        delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=emails,
        )
    assert words in exc.value.messages[0]
    assert not Delivery.objects.exists()


def test_the_email_is_in_the_recipients_language_when_known(
    dap_invitation, cast, django_capture_on_commit_callbacks
):
    factories.make_user("it@northwind.test", language="it")
    cast.provider_admin.language = "zh-hans"
    cast.provider_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        known, unknown = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["it@northwind.test", "new@northwind.test"],
        )
    assert known.language == "it"
    assert unknown.language == "zh-hans"
    html_by_recipient = {m.to[0]: m.alternatives[0][0] for m in mail.outbox}
    assert '<html lang="it">' in html_by_recipient["it@northwind.test"]
    assert '<html lang="zh-hans">' in html_by_recipient["new@northwind.test"]


def test_without_any_preference_the_senders_current_language_is_used(dap_invitation, cast):
    from django.utils import translation

    with translation.override("it"):
        (delivery,) = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["new@northwind.test"],
        )
    assert delivery.language == "it"


def test_emails_leave_only_after_commit(dap_invitation, cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["a@northwind.test"],
        )
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_mail_server_that_is_down_loses_nothing(
    dap_invitation, cast, failing_mail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["a@northwind.test"],
        )
    delivery.refresh_from_db()
    assert delivery.sent_at is None
    assert delivery.send_attempts == 1
    assert "mail server is down" in delivery.last_error
    assert delivery.has_failed
    assert events("invitation.delivered").count() == 1


def test_a_failed_delivery_can_be_retried(
    dap_invitation, cast, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.invitations.conftest.FailingEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["a@northwind.test"],
        )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery.refresh_from_db()
    link_key = delivery.link_key
    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(delivery=delivery, partner=cast.provider, by=cast.provider_admin)
    delivery.refresh_from_db()
    assert delivery.sent_at is not None
    assert delivery.last_error == ""
    assert delivery.send_attempts == 2
    assert delivery.link_key == link_key
    assert len(mail.outbox) == 1
    assert events("invitation.resent").count() == 1


def test_only_the_sending_organization_resends(dap_invitation, cast):
    delivery = make_delivery(dap_invitation, cast.reseller)
    with pytest.raises(PermissionDenied):
        delivery_resend(delivery=delivery, partner=cast.provider, by=cast.provider_admin)


def test_a_revoked_invitation_is_not_resent(dap_invitation, cast):
    delivery = make_delivery(dap_invitation)
    invitation_revoke(invitation=dap_invitation, by=cast.provider_admin)
    delivery.invitation.refresh_from_db()
    with pytest.raises(ValidationError):
        delivery_resend(delivery=delivery, partner=cast.provider, by=cast.provider_admin)


def test_the_email_of_a_deleted_delivery_is_still_sent_and_records_nothing(dap_invitation, cast):
    (delivery,) = delivery_send(
        invitation=dap_invitation,
        partner=cast.provider,
        by=cast.provider_admin,
        emails=["a@northwind.test"],
    )
    email = OutboundEmail.objects.get(purpose="invitations.delivery", ref=str(delivery.pk))
    Delivery.objects.filter(pk=delivery.pk).delete()
    assert deliver(email_id=email.pk) == "sent"
    assert len(mail.outbox) == 1


def test_resending_replaces_a_copy_still_waiting_for_a_retry(
    dap_invitation, cast, failing_mail, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = delivery_send(
            invitation=dap_invitation,
            partner=cast.provider,
            by=cast.provider_admin,
            emails=["a@northwind.test"],
        )
    first = OutboundEmail.objects.get(ref=str(delivery.pk))
    assert first.status == OutboundEmail.Status.QUEUED  # a retry is scheduled
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        delivery_resend(delivery=delivery, partner=cast.provider, by=cast.provider_admin)
    first.refresh_from_db()
    assert first.status == OutboundEmail.Status.FAILED
    assert deliver(email_id=first.pk) == "skipped"
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------------
# invitation_revoke
# ------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["provider_admin", "provider_agent"])
def test_admins_and_admin_agents_revoke_at_once(dap_invitation, cast, role):
    delivery = make_delivery(dap_invitation)
    invitation_revoke(invitation=dap_invitation, by=getattr(cast, role))
    dap_invitation.refresh_from_db()
    assert dap_invitation.effective_status == "revoked"
    assert dap_invitation.revoked_by == getattr(cast, role)
    from apps.invitations.tokens import delivery_token, invitation_token

    assert resolve_token(invitation_token(dap_invitation)).problem == "revoked"
    assert resolve_token(delivery_token(delivery)).problem == "revoked"
    event = events("invitation.revoked").get()
    assert concerned(event) == {cast.provider.pk, cast.reseller.pk}


@pytest.mark.parametrize(
    "role", ["provider_sales", "provider_helpdesk", "reseller_admin", "outsider"]
)
def test_others_cannot_revoke(dap_invitation, cast, role):
    with pytest.raises(PermissionDenied):
        invitation_revoke(invitation=dap_invitation, by=getattr(cast, role))
    dap_invitation.refresh_from_db()
    assert dap_invitation.status == Invitation.Status.ACTIVE


def test_revoking_twice_says_so(dap_invitation, cast):
    invitation_revoke(invitation=dap_invitation, by=cast.provider_admin)
    with pytest.raises(ValidationError):
        invitation_revoke(invitation=dap_invitation, by=cast.provider_admin)
    assert events("invitation.revoked").count() == 1


# ------------------------------------------------------------------------------
# Opening links
# ------------------------------------------------------------------------------
def test_the_first_open_is_recorded_once(dap_invitation, cast):
    delivery = make_delivery(dap_invitation, cast.reseller)
    assert delivery_record_open(delivery=delivery) is True
    first = Delivery.objects.get(pk=delivery.pk).first_opened_at
    assert delivery_record_open(delivery=Delivery.objects.get(pk=delivery.pk)) is False
    assert Delivery.objects.get(pk=delivery.pk).first_opened_at == first
    event = events("invitation.opened").get()
    assert concerned(event) == {cast.provider.pk, cast.reseller.pk}


@pytest.mark.parametrize(
    "problem, action",
    [("revoked", "invitation.revoked_link_used"), ("expired", "invitation.expired_link_used")],
)
def test_a_dead_link_use_records_one_event(dap_invitation, cast, problem, action):
    assert invitation_record_dead_link_use(invitation=dap_invitation, problem=problem)
    event = events(action).get()
    assert concerned(event) == {cast.provider.pk, cast.reseller.pk}


def test_other_link_problems_record_nothing(dap_invitation):
    assert not invitation_record_dead_link_use(invitation=dap_invitation, problem="used")
    assert not AuditEvent.objects.filter(action__endswith="_link_used").exists()


# ------------------------------------------------------------------------------
# Derived status
# ------------------------------------------------------------------------------
def test_expired_and_used_are_derived_at_read_time(cast):
    active = make_invitation(cast.provider)
    expired = make_invitation(cast.provider, expires_at=timezone.now() - timedelta(seconds=1))
    used = make_invitation(cast.provider, max_uses=2, use_count=2)
    revoked = make_invitation(
        cast.provider, status=Invitation.Status.REVOKED, revoked_at=timezone.now()
    )
    by_status = {
        status: set(Invitation.objects.with_effective_status(status))
        for status in ("active", "expired", "used", "revoked")
    }
    assert by_status == {
        "active": {active},
        "expired": {expired},
        "used": {used},
        "revoked": {revoked},
    }
    for invitation in (active, expired, used, revoked):
        assert invitation in by_status[invitation.effective_status]
