import pytest
from django.core import mail
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.invitations.models import Invitation
from apps.partners.mixins import DENIED_MESSAGES
from apps.partners.models import ResellerPartnership
from tests import factories


def create_url(partner):
    return reverse("invitations:create", kwargs={"partner_id": partner.public_id})


def form_data(**overrides):
    data = {"kind": "open", "valid_days": "30", "message": ""}
    data.update(overrides)
    return data


def test_the_form_offers_active_resellers_active_services_and_the_default_expiry(
    cast, client, services, settings
):
    settings.INVITATION_DEFAULT_DAYS = 14
    ended = factories.make_reseller("Ended Resale")
    factories.make_partnership(cast.provider, ended, state=ResellerPartnership.State.ENDED)
    services["powerbi"].is_active = False
    services["powerbi"].save()
    client.force_login(cast.provider_sales)
    response = client.get(create_url(cast.provider))
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields["reseller"].queryset) == [cast.reseller]
    assert services["powerbi"] not in form.fields["services"].queryset
    assert form.fields["valid_days"].initial == 14
    body = response.content.decode()
    assert "No reseller – our own link" in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_provider_creates_an_invitation_for_its_reseller_asking_dap(cast, client, services):
    client.force_login(cast.provider_agent)
    response = client.post(
        create_url(cast.provider),
        form_data(
            reseller=cast.reseller.pk,
            requests_dap="on",
            services=[services["office365"].pk, services["azure"].pk],
            dap_provisioning="on",
            dap_support="on",
            max_uses="10",
            message="Hello from Contoso",
        ),
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "invitations:detail",
        kwargs={"partner_id": cast.provider.public_id, "invitation_id": invitation.public_id},
    )
    assert invitation.reseller == cast.reseller
    assert invitation.dap_recipient == cast.reseller
    assert invitation.max_uses == 10
    assert invitation.created_by == cast.provider_agent
    assert AuditEvent.objects.filter(action="invitation.created").count() == 1


def test_a_personal_invitation_can_be_emailed_at_once(
    cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.provider_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            create_url(cast.provider),
            form_data(
                kind="personal",
                recipient_email="cio@northwind.test",
                send_to_recipient="on",
                max_uses="7",  # ignored: a personal invitation is single use
            ),
        )
    invitation = Invitation.objects.get()
    assert invitation.max_uses == 1
    assert invitation.deliveries.get().email == "cio@northwind.test"
    assert mail.outbox[0].to == ["cio@northwind.test"]


def test_an_open_invitation_ignores_the_send_now_box(cast, client):
    client.force_login(cast.provider_admin)
    response = client.post(create_url(cast.provider), form_data(send_to_recipient="on"))
    assert response.status_code == 302
    assert not Invitation.objects.get().deliveries.exists()


@pytest.mark.parametrize(
    "data, field",
    [
        ({"kind": "personal"}, "recipient_email"),
        ({"requests_dap": "on"}, "services"),
        ({"dap_support": "on"}, "requests_dap"),
        ({"valid_days": "365"}, "valid_days"),
        ({"valid_days": "zero"}, "valid_days"),
        ({"kind": "sideways"}, "kind"),
        ({"recipient_email": "a@b.test"}, "recipient_email"),
    ],
)
def test_bad_input_shows_a_clear_error_and_creates_nothing(cast, client, data, field):
    client.force_login(cast.provider_admin)
    response = client.post(create_url(cast.provider), form_data(**data))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_reseller_that_is_not_ours_is_refused(cast, client):
    stranger = factories.make_reseller("Stranger")
    factories.make_partnership(cast.other_provider, stranger)
    client.force_login(cast.provider_admin)
    response = client.post(create_url(cast.provider), form_data(reseller=stranger.pk))
    assert response.status_code == 200
    assert "reseller" in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_reseller_gets_a_clear_403_on_the_create_page(cast, client):
    client.force_login(cast.reseller_admin)
    response = client.get(create_url(cast.reseller))
    assert response.status_code == 403
    assert str(DENIED_MESSAGES["invitations.create"]) in response.content.decode()


def test_a_hand_made_post_from_a_reseller_is_refused(cast, client):
    client.force_login(cast.reseller_admin)
    response = client.post(create_url(cast.reseller), form_data())
    assert response.status_code == 403
    assert str(DENIED_MESSAGES["invitations.create"]) in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_reseller_cannot_post_to_its_providers_create_page(cast, client):
    client.force_login(cast.reseller_admin)
    response = client.post(create_url(cast.provider), form_data())
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_a_helpdesk_agent_gets_403(cast, client):
    client.force_login(cast.provider_helpdesk)
    assert client.post(create_url(cast.provider), form_data()).status_code == 403
    assert not Invitation.objects.exists()
