"""What the API reads and writes. Output serializers are read-only views of the models; input
serializers only check the shape (types, lengths): the rules live in the services."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.invitations.services import DELIVERY_MESSAGE_MAX_LENGTH, MESSAGE_MAX_LENGTH


def _public_id(obj):
    return obj.public_id if obj is not None else None


class InvitationSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    kind = serializers.CharField()
    status = serializers.CharField(source="effective_status")
    provider = serializers.CharField(source="provider.public_id", read_only=True)
    reseller = serializers.SerializerMethodField()
    recipient_email = serializers.CharField()
    requests_dap = serializers.BooleanField()
    services = serializers.SerializerMethodField()
    provisioning = serializers.BooleanField(source="dap_provisioning")
    support = serializers.BooleanField(source="dap_support")
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    max_uses = serializers.IntegerField(allow_null=True)
    use_count = serializers.IntegerField()
    deliveries_count = serializers.IntegerField(required=False)
    sent_count = serializers.IntegerField(required=False)
    opened_count = serializers.IntegerField(required=False)
    accepted_count = serializers.IntegerField(required=False)

    def get_reseller(self, obj) -> str | None:
        return _public_id(obj.reseller)

    def get_services(self, obj) -> list[str]:
        return sorted(s.code for s in obj.services.all())


class InvitationCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["open", "personal"], default="open")
    reseller = serializers.CharField(required=False, allow_blank=True, max_length=32)
    recipient_email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    requests_dap = serializers.BooleanField(default=False)
    services = serializers.ListField(
        child=serializers.CharField(max_length=50), required=False, max_length=50
    )
    provisioning = serializers.BooleanField(default=False)
    support = serializers.BooleanField(default=False)
    valid_days = serializers.IntegerField(
        required=False, min_value=1, max_value=settings.INVITATION_MAX_DAYS
    )
    max_uses = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    message = serializers.CharField(required=False, allow_blank=True, max_length=MESSAGE_MAX_LENGTH)
    send_to_recipient = serializers.BooleanField(default=False)


class InvitationExtendSerializer(serializers.Serializer):
    valid_days = serializers.IntegerField(min_value=1, max_value=settings.INVITATION_MAX_DAYS)


class InvitationSendSerializer(serializers.Serializer):
    emails = serializers.ListField(
        child=serializers.CharField(max_length=254), min_length=1, max_length=20
    )
    message = serializers.CharField(
        required=False, allow_blank=True, max_length=DELIVERY_MESSAGE_MAX_LENGTH
    )


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    invitation = serializers.CharField(source="invitation.public_id", read_only=True)
    email = serializers.CharField()
    sent_by_partner = serializers.CharField(source="sent_by_partner.public_id", read_only=True)
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(source="first_opened_at", allow_null=True)
    failed = serializers.BooleanField(source="has_failed")
    accepted_count = serializers.IntegerField(required=False)


class GrantSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    customer = serializers.CharField(source="customer.public_id", read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    partner = serializers.CharField(source="partner.public_id", read_only=True)
    provisioning = serializers.BooleanField()
    support = serializers.BooleanField()
    granted_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class RelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    customer = serializers.CharField(source="customer.public_id", read_only=True)
    provider = serializers.CharField(source="provider.public_id", read_only=True)
    reseller = serializers.SerializerMethodField()
    state = serializers.CharField()
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True)

    def get_reseller(self, obj) -> str | None:
        return _public_id(obj.reseller)


class CustomerSerializer(serializers.Serializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField()
    tenant_domain = serializers.CharField()
    country = serializers.CharField()
    relationships = serializers.SerializerMethodField()
    grants = serializers.SerializerMethodField()

    @extend_schema_field(RelationshipSerializer(many=True))
    def get_relationships(self, obj):
        rows = getattr(obj, "partner_relationships", None)
        if rows is None:
            rows = obj.relationships.all()
        return RelationshipSerializer(rows, many=True).data

    @extend_schema_field(GrantSerializer(many=True))
    def get_grants(self, obj):
        rows = getattr(obj, "partner_grants", None)
        if rows is None:
            rows = [g for g in obj.grants.all() if g.revoked_at is None]
        return GrantSerializer(rows, many=True).data


class PartnershipSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    provider = serializers.CharField(source="provider.public_id", read_only=True)
    reseller = serializers.SerializerMethodField()
    state = serializers.CharField()
    invited_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)
    customers_count = serializers.IntegerField(required=False)

    def get_reseller(self, obj) -> str | None:
        return _public_id(obj.reseller)


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    created_at = serializers.DateTimeField()
    action = serializers.CharField()
    actor = serializers.CharField(source="actor_text")
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    target = serializers.CharField(source="subject")
    data = serializers.DictField(source="visible_data")


class KeySerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    role = serializers.CharField()
    organization = serializers.SerializerMethodField()
    expires_at = serializers.DateTimeField(allow_null=True)

    def get_organization(self, obj) -> str | None:
        return _public_id(obj.partner)
