"""API keys: authentication, revocation, expiry, scoping, staff keys, limits, ETags."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.api.models import ApiKey
from apps.api.services import api_key_create, api_key_revoke
from apps.audit.models import AuditEvent
from apps.partners.models import PartnerMembership
from apps.partners.permissions import Role
from apps.partners.selectors import global_admin_count, team_members
from tests.invitations.builders import make_invitation

from .conftest import KeyClient, make_key


def test_no_key_or_a_session_gets_401(cast, client):
    assert KeyClient().get("/api/v1/me/").status_code == 401
    client.force_login(cast.provider_admin)
    response = client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nope",
        "Bearer pp_12345678_wrong",
        "Bearer",
        "Bearer a b",
        "Basic eDp5",
        "Bearer \x00",
    ],
)
def test_malformed_or_unknown_keys_get_401(cast, header):
    client = KeyClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/v1/me/").status_code == 401


def test_the_key_is_stored_as_prefix_and_hash_only(cast, provider_key):
    key, secret = provider_key
    assert secret.startswith(f"pp_{key.prefix}_")
    assert secret not in key.key_hash
    assert not ApiKey.objects.filter(key_hash__contains=secret).exists()


def test_me_says_who_the_key_is_and_records_last_use(cast, provider_api, provider_key):
    body = provider_api.get("/api/v1/me/").json()
    assert body["organization"] == cast.provider.public_id
    assert body["role"] == Role.ADMIN_AGENT
    provider_key[0].refresh_from_db()
    assert provider_key[0].last_used_at is not None


def test_a_revoked_key_stops_at_once(cast, provider_api, provider_key):
    assert provider_api.get("/api/v1/me/").status_code == 200
    api_key_revoke(key=provider_key[0], by=cast.provider_admin)
    response = provider_api.get("/api/v1/me/")
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]
    with pytest.raises(ValidationError):
        api_key_revoke(key=provider_key[0], by=cast.provider_admin)


def test_an_expired_key_is_refused(cast, provider_api, provider_key):
    ApiKey.objects.filter(pk=provider_key[0].pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = provider_api.get("/api/v1/me/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_only_global_admins_create_keys_and_expiry_is_bounded(cast):
    with pytest.raises(PermissionDenied):
        make_key(cast.provider, cast.provider_agent)
    with pytest.raises(PermissionDenied):
        make_key(cast.provider, cast.outsider)
    today = timezone.localdate()
    for bad in (today, today + datetime.timedelta(days=800)):
        with pytest.raises(ValidationError):
            make_key(cast.provider, cast.provider_admin, expires_on=bad)
    with pytest.raises(ValidationError):
        api_key_create(
            partner=cast.provider, name=" ", role=Role.SALES_AGENT, by=cast.provider_admin
        )
    with pytest.raises(ValidationError):
        api_key_create(partner=cast.provider, name="x", role="owner", by=cast.provider_admin)


def test_a_key_is_not_a_team_member_nor_a_global_admin(cast):
    make_key(cast.provider, cast.provider_admin, Role.GLOBAL_ADMIN)
    assert global_admin_count(cast.provider) == 1
    assert cast.provider_admin.email in [m.user.email for m in team_members(cast.provider)]
    assert all(not m.user.email.endswith(".invalid") for m in team_members(cast.provider))


def test_the_key_actor_cannot_sign_in(cast, provider_key, client):
    actor = provider_key[0].actor
    assert not actor.is_active
    assert not actor.has_usable_password()


def test_every_call_is_audited_with_the_key_as_actor(cast, provider_api, provider_key):
    provider_api.get("/api/v1/invitations/")
    event = AuditEvent.objects.filter(action="api.request").latest("pk")
    assert event.actor == provider_key[0].actor
    assert event.acting_partner == cast.provider
    assert event.data["path"] == "/api/v1/invitations/"
    assert event.data["caller_prefix"] == provider_key[0].prefix


def test_staff_keys_read_everything_and_change_nothing(cast, staff_api):
    invitation = make_invitation(cast.provider, cast.reseller)
    make_invitation(cast.other_provider)
    assert staff_api.get("/api/v1/invitations/").json()["count"] == 2
    assert staff_api.get(f"/api/v1/invitations/{invitation.public_id}/").status_code == 200
    assert staff_api.get("/api/v1/partnerships/").status_code == 200
    assert staff_api.get("/api/v1/audit-events/").status_code == 200
    response = staff_api.post(f"/api/v1/invitations/{invitation.public_id}/revoke/")
    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="api.refused").exists()


def test_the_rate_limit_answers_429_with_retry_after(cast, provider_api, settings):
    settings.API_RATE_LIMIT = "3/m"
    statuses = [provider_api.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = provider_api.get("/api/v1/me/")
    assert int(response["Retry-After"]) >= 1


def test_the_rate_limit_counts_per_key(cast, provider_api, reseller_api, settings):
    settings.API_RATE_LIMIT = "1/m"
    assert provider_api.get("/api/v1/me/").status_code == 200
    assert provider_api.get("/api/v1/me/").status_code == 429
    assert reseller_api.get("/api/v1/me/").status_code == 200


def test_etag_and_if_none_match(cast, provider_api):
    make_invitation(cast.provider, cast.reseller)
    first = provider_api.get("/api/v1/invitations/")
    etag = first["ETag"]
    assert etag
    again = provider_api.get("/api/v1/invitations/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    make_invitation(cast.provider, cast.reseller)
    changed = provider_api.get("/api/v1/invitations/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200


def test_page_size_is_capped(cast, provider_api):
    for _ in range(3):
        make_invitation(cast.provider)
    body = provider_api.get("/api/v1/invitations/?page_size=2").json()
    assert len(body["results"]) == 2 and body["next"]
    assert provider_api.get("/api/v1/invitations/?page_size=100000").status_code == 200
    assert provider_api.get("/api/v1/invitations/?page=999").status_code == 404
    assert provider_api.get("/api/v1/invitations/?page=x").status_code == 404


def test_a_revoked_keys_membership_is_gone(cast, provider_key):
    api_key_revoke(key=provider_key[0], by=cast.provider_admin)
    assert not PartnerMembership.objects.filter(user=provider_key[0].actor).exists()
