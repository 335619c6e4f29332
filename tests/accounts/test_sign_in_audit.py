"""Signing in, out and failing to sign in each leave one audit event (never the password)."""

from django.urls import reverse

from apps.audit.models import AuditEvent
from tests.factories import PASSWORD


def test_a_sign_in_records_who_signed_in(user, client):
    client.post(reverse("accounts:login"), {"username": user.email.upper(), "password": PASSWORD})
    event = AuditEvent.objects.get(action="account.signed_in")
    assert event.actor == user
    assert event.actor_email == user.email
    assert event.request_id


def test_a_failed_sign_in_records_the_email_typed_but_not_the_password(user, client):
    client.post(reverse("accounts:login"), {"username": user.email, "password": "wrong-guess"})
    event = AuditEvent.objects.get(action="account.sign_in_failed")
    assert event.actor is None
    assert event.data == {"email": user.email}
    assert "wrong-guess" not in str(event.data) + event.target_repr
    assert not AuditEvent.objects.filter(action="account.signed_in").exists()


def test_a_sign_out_records_who_signed_out(user, client):
    client.force_login(user)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.get(action="account.signed_out").actor == user
