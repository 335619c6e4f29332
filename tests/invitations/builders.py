"""Test data for invitations, built directly (fast). Tests of the rules go through services."""

from datetime import timedelta

from django.utils import timezone

from apps.invitations.models import Delivery, Invitation


def make_invitation(provider, reseller=None, **fields) -> Invitation:
    services = fields.pop("services", None)
    fields.setdefault("expires_at", timezone.now() + timedelta(days=30))
    if fields.get("kind") == Invitation.Kind.PERSONAL:
        fields.setdefault("recipient_email", "someone@example.test")
        fields.setdefault("max_uses", 1)
    invitation = Invitation.objects.create(provider=provider, reseller=reseller, **fields)
    if services:
        invitation.services.set(services)
    return invitation


def make_delivery(invitation, partner=None, email="customer@example.test", **fields) -> Delivery:
    return Delivery.objects.create(
        invitation=invitation,
        sent_by_partner=partner or invitation.provider,
        email=email,
        **fields,
    )
