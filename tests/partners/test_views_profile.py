from django.urls import reverse

from apps.audit.models import AuditEvent


def test_every_member_sees_the_organization_profile(cast, client):
    client.force_login(cast.provider_helpdesk)
    page = client.get(reverse("partners:profile", args=[cast.provider.public_id])).content.decode()
    assert cast.provider.public_id in page
    assert "Only Global admins edit the profile." in page


def test_a_global_admin_edits_the_name_and_contact(cast, client):
    client.force_login(cast.provider_admin)
    url = reverse("partners:profile_edit", args=[cast.provider.public_id])
    assert 'value="Contoso Distribution"' in client.get(url).content.decode()
    response = client.post(url, {"name": "Contoso China", "contact_email": "Hello@Contoso.test"})
    assert response["Location"] == reverse("partners:profile", args=[cast.provider.public_id])
    cast.provider.refresh_from_db()
    assert cast.provider.name == "Contoso China"
    assert cast.provider.contact_email == "hello@contoso.test"
    event = AuditEvent.objects.get(action="partner.updated")
    assert event.acting_partner == cast.provider


def test_a_blank_name_is_refused(cast, client):
    client.force_login(cast.provider_admin)
    url = reverse("partners:profile_edit", args=[cast.provider.public_id])
    response = client.post(url, {"name": "   ", "contact_email": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    cast.provider.refresh_from_db()
    assert cast.provider.name == "Contoso Distribution"


def test_an_admin_agent_cannot_edit_the_profile(cast, client):
    client.force_login(cast.provider_agent)
    url = reverse("partners:profile_edit", args=[cast.provider.public_id])
    assert client.post(url, {"name": "Hijacked"}).status_code == 403
    cast.provider.refresh_from_db()
    assert cast.provider.name == "Contoso Distribution"
