"""Invitations through the API: same services and checks as the pages."""

from apps.audit.models import AuditEvent
from apps.invitations.models import Delivery, Invitation
from apps.partners.permissions import Role
from tests.invitations.builders import make_invitation

from .conftest import KeyClient, make_key

URL = "/api/v1/invitations/"


def test_a_provider_key_creates_an_invitation_for_its_reseller(cast, provider_api, provider_key):
    response = provider_api.post(
        URL, {"reseller": cast.reseller.public_id, "valid_days": 10}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    invitation = Invitation.objects.get(public_id=body["id"])
    assert invitation.reseller == cast.reseller
    assert body["status"] == "active"
    # The key's actor made it, and the audit event says so
    key = provider_key[0]
    assert invitation.created_by == key.actor
    event = AuditEvent.objects.get(action="invitation.created")
    assert event.actor == key.actor
    assert event.acting_partner == cast.provider


def test_a_reseller_key_cannot_create_and_the_refusal_is_audited(cast, reseller_api, reseller_key):
    response = reseller_api.post(URL, {"kind": "open"}, format="json")
    assert response.status_code == 403
    assert "Resellers forward" in response.json()["detail"]
    assert not Invitation.objects.exists()
    refused = AuditEvent.objects.get(action="api.refused")
    assert refused.actor == reseller_key[0].actor
    assert refused.data["method"] == "POST"
    assert refused.data["status"] == 403


def test_a_reseller_key_lists_and_forwards_the_invitations_issued_for_it(cast, reseller_api):
    mine = make_invitation(cast.provider, cast.reseller)
    make_invitation(cast.provider)  # the provider's own link: not the reseller's business
    listed = reseller_api.get(URL).json()
    assert [row["id"] for row in listed["results"]] == [mine.public_id]
    response = reseller_api.post(
        f"{URL}{mine.public_id}/deliveries/",
        {"emails": ["buyer@northwind.test"], "message": "Hello"},
        format="json",
    )
    assert response.status_code == 201, response.content
    delivery = Delivery.objects.get()
    assert delivery.sent_by_partner == cast.reseller
    assert AuditEvent.objects.filter(action="invitation.forwarded").exists()


def test_a_helpdesk_key_may_not_see_invitations(cast):
    _key, secret = make_key(cast.provider, cast.provider_admin, Role.HELPDESK_AGENT)
    assert KeyClient(secret).get(URL).status_code == 403


def test_another_organizations_invitation_is_404(cast, outsider_api):
    invitation = make_invitation(cast.provider, cast.reseller)
    for path in ("", "revoke/", "extend/", "deliveries/"):
        method = outsider_api.get if path in ("", "deliveries/") else outsider_api.post
        response = method(f"{URL}{invitation.public_id}/{path}", {"valid_days": 5}, format="json")
        assert response.status_code == 404, path
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACTIVE


def test_a_provider_key_revokes_and_extends(cast, provider_api):
    invitation = make_invitation(cast.provider, cast.reseller)
    extended = provider_api.post(
        f"{URL}{invitation.public_id}/extend/", {"valid_days": 80}, format="json"
    )
    assert extended.status_code == 200, extended.content
    invitation.refresh_from_db()
    assert AuditEvent.objects.filter(action="invitation.extended").exists()
    revoked = provider_api.post(f"{URL}{invitation.public_id}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["status"] == "revoked"
    again = provider_api.post(f"{URL}{invitation.public_id}/revoke/")
    assert again.status_code == 400
    dead = provider_api.post(
        f"{URL}{invitation.public_id}/extend/", {"valid_days": 5}, format="json"
    )
    assert dead.status_code == 400


def test_bad_input_gets_400_and_changes_nothing(cast, provider_api):
    for body in (
        {"kind": "nonsense"},
        {"valid_days": 0},
        {"valid_days": "x"},
        {"reseller": "NOPE"},
        {"requests_dap": True},
        {"services": ["not-a-service"], "requests_dap": True, "provisioning": True},
        {"kind": "personal", "recipient_email": "not an email"},
    ):
        response = provider_api.post(URL, body, format="json")
        assert response.status_code == 400, (body, response.content)
    assert not Invitation.objects.exists()
