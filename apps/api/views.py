"""The REST API under /api/v1/. Each view scopes its reads with the same selectors and
querysets as the portal's pages and writes through the same services; the key's membership
answers the same permission questions (`permissions` per method, see authentication.py)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler

from apps.audit.models import AuditEvent
from apps.audit.services import audit_record
from apps.customers.models import Customer, DelegatedAdminGrant, ResellerRelationship, Service
from apps.customers.selectors import (
    partner_customers,
    partner_relationships,
    partner_visible_grants,
)
from apps.invitations import selectors as invitation_selectors
from apps.invitations import services as invitation_services
from apps.invitations.models import Delivery, Invitation
from apps.partners.models import Partner, ResellerPartnership
from apps.partners.selectors import (
    provider_partnerships_for_reseller,
    reseller_partnerships_for_provider,
)
from apps.portal.selectors import ActivityFilters, actor_label, partner_activity, visible_event

from . import serializers as s
from .authentication import ApiKeyAuthentication, ApiKeyRateThrottle, KeyPermission
from .models import ApiKey

MAX_PAGE_SIZE = 100


# ------------------------------------------------------------------------------
# Plumbing: errors, pagination, the audit of every call
# ------------------------------------------------------------------------------
def api_exception_handler(exc, context):
    """A service's ValidationError becomes a 400 with its messages (per field when it has
    fields); everything else is DRF's (Http404 -> 404, PermissionDenied -> 403)."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    elif isinstance(exc, DjangoPermissionDenied):
        from rest_framework.exceptions import PermissionDenied

        exc = PermissionDenied(str(exc) or None)
    return exception_handler(exc, context)


class Pages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_number(self, request, paginator):
        number = request.query_params.get(self.page_query_param) or 1
        try:
            if not (1 <= int(number) <= 100_000):
                raise ValueError
        except (TypeError, ValueError):
            from rest_framework.exceptions import NotFound

            raise NotFound(_("Invalid page.")) from None
        return number


class AuditCursor(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = ("-created_at", "-pk")


class ApiView(GenericAPIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [KeyPermission]
    throttle_classes = [ApiKeyRateThrottle]
    pagination_class = Pages
    permissions: dict[str, str | None] = {}

    @property
    def key(self) -> ApiKey:
        return self.request.auth

    @property
    def partner(self) -> Partner | None:
        return self.key.partner

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "private, no-cache"
        key = getattr(request, "auth", None)
        if isinstance(key, ApiKey):
            self._audit_call(request, response, key)
        return response

    def _audit_call(self, request, response, key: ApiKey) -> None:
        """Every call with a valid key is in the audit log, the key's actor as actor."""
        refused = response.status_code == status.HTTP_403_FORBIDDEN
        with transaction.atomic():
            audit_record(
                action="api.refused" if refused else "api.request",
                actor=key.actor,
                acting_partner=key.partner,
                target=key,
                target_repr=str(key),
                data={
                    "method": request.method,
                    "path": request.path[:200],
                    "status": response.status_code,
                    "caller_prefix": key.prefix,
                    "caller_name": key.name,
                },
            )

    def paginate(self, queryset, serializer_class):
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializer_class(page, many=True).data)


def _staff_or(key: ApiKey, staff_queryset, partner_queryset):
    return staff_queryset if key.is_staff_key else partner_queryset


# ------------------------------------------------------------------------------
# The caller
# ------------------------------------------------------------------------------
class MeView(ApiView):
    """Who the key is: its organization, role and expiry."""

    permissions = {"GET": None}
    serializer_class = s.KeySerializer

    def get(self, request):
        return Response(s.KeySerializer(self.key).data)


# ------------------------------------------------------------------------------
# Invitations
# ------------------------------------------------------------------------------
INVITATION_FILTERS = [
    OpenApiParameter("status", str, enum=list(invitation_selectors.EFFECTIVE_STATUSES)),
    OpenApiParameter("kind", str, enum=["open", "personal"]),
    OpenApiParameter("reseller", str, description="A reseller's public ID, or “none”."),
    OpenApiParameter("provider", str),
    OpenApiParameter("search", str),
]


def _get_invitation(key: ApiKey, invitation_id: str) -> Invitation:
    if key.is_staff_key:
        invitation = (
            Invitation.objects.select_related("provider", "reseller")
            .prefetch_related("services")
            .filter(public_id=invitation_id)
            .first()
        )
        if invitation is None:
            raise Http404
        return invitation
    return invitation_selectors.invitation_get(partner=key.partner, public_id=invitation_id)


class InvitationListView(ApiView):
    """Invitations the organization issued (providers) or that were issued for it (resellers)."""

    permissions = {"GET": "invitations.view", "POST": "invitations.create"}
    serializer_class = s.InvitationSerializer

    @extend_schema(parameters=INVITATION_FILTERS, responses=s.InvitationSerializer(many=True))
    def get(self, request):
        q = request.query_params
        filters = {
            "status": q.get("status", ""),
            "kind": q.get("kind", ""),
            "reseller": q.get("reseller", "")[:32],
            "provider": q.get("provider", "")[:32],
            "search": q.get("search", "")[:200],
        }
        if self.key.is_staff_key:
            qs = (
                Invitation.objects.select_related("provider", "reseller")
                .prefetch_related("services")
                .order_by("-created_at", "-pk")
            )
            if filters["status"] in invitation_selectors.EFFECTIVE_STATUSES:
                qs = qs.with_effective_status(filters["status"])
        else:
            qs = invitation_selectors.invitation_list(partner=self.partner, **filters)
        return self.paginate(qs, s.InvitationSerializer)

    @extend_schema(request=s.InvitationCreateSerializer, responses={201: s.InvitationSerializer})
    def post(self, request):
        data = _validated(s.InvitationCreateSerializer, request)
        reseller = None
        if data.get("reseller"):
            reseller = Partner.objects.filter(public_id=data["reseller"]).first()
            if reseller is None:
                raise ValidationError({"reseller": [_("No reseller has this ID.")]})
        codes = data.get("services") or []
        services = list(Service.objects.filter(code__in=codes))
        unknown = sorted(set(codes) - {sv.code for sv in services})
        if unknown:
            raise ValidationError(
                {"services": [_("Unknown services: %(names)s.") % {"names": ", ".join(unknown)}]}
            )
        invitation = invitation_services.invitation_create(
            provider=self.partner,
            by=self.key.actor,
            kind=data["kind"],
            reseller=reseller,
            recipient_email=data.get("recipient_email", ""),
            requests_dap=data["requests_dap"],
            services=services,
            dap_provisioning=data["provisioning"],
            dap_support=data["support"],
            valid_days=data.get("valid_days"),
            max_uses=data.get("max_uses"),
            message=data.get("message", ""),
            send_to_recipient=data["send_to_recipient"],
        )
        invitation = invitation_selectors.invitation_get(
            partner=self.partner, public_id=invitation.public_id
        )
        return Response(s.InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)


def _validated(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class InvitationDetailView(ApiView):
    permissions = {"GET": "invitations.view"}
    serializer_class = s.InvitationSerializer

    def get(self, request, invitation_id: str):
        return Response(s.InvitationSerializer(_get_invitation(self.key, invitation_id)).data)


class InvitationRevokeView(ApiView):
    """Make the invitation and every link to it unusable (providers)."""

    permissions = {"POST": "invitations.manage"}
    serializer_class = s.InvitationSerializer

    @extend_schema(request=None, responses=s.InvitationSerializer)
    def post(self, request, invitation_id: str):
        invitation = _get_invitation(self.key, invitation_id)
        invitation_services.invitation_revoke(invitation=invitation, by=self.key.actor)
        return Response(s.InvitationSerializer(_get_invitation(self.key, invitation_id)).data)


class InvitationExtendView(ApiView):
    """Valid for `valid_days` more days from now (providers)."""

    permissions = {"POST": "invitations.manage"}
    serializer_class = s.InvitationSerializer

    @extend_schema(request=s.InvitationExtendSerializer, responses=s.InvitationSerializer)
    def post(self, request, invitation_id: str):
        invitation = _get_invitation(self.key, invitation_id)
        data = _validated(s.InvitationExtendSerializer, request)
        invitation_services.invitation_extend(
            invitation=invitation, days=data["valid_days"], by=self.key.actor
        )
        return Response(s.InvitationSerializer(_get_invitation(self.key, invitation_id)).data)


class InvitationDeliveryListView(ApiView):
    """Sendings of the invitation (the provider's deliveries, a reseller's own forwards) with
    sent / opened / accepted. POST emails it: a provider delivers, a reseller forwards."""

    permissions = {"GET": "invitations.view", "POST": "invitations.send"}
    serializer_class = s.DeliverySerializer

    @extend_schema(responses=s.DeliverySerializer(many=True))
    def get(self, request, invitation_id: str):
        invitation = _get_invitation(self.key, invitation_id)
        if self.key.is_staff_key:
            qs = (
                Delivery.objects.filter(invitation=invitation)
                .select_related("invitation", "sent_by_partner")
                .order_by("-created_at", "-pk")
            )
        else:
            qs = invitation_selectors.delivery_list(partner=self.partner, invitation=invitation)
        return self.paginate(qs, s.DeliverySerializer)

    @extend_schema(
        request=s.InvitationSendSerializer, responses={201: s.DeliverySerializer(many=True)}
    )
    def post(self, request, invitation_id: str):
        invitation = _get_invitation(self.key, invitation_id)
        data = _validated(s.InvitationSendSerializer, request)
        deliveries = invitation_services.delivery_send(
            invitation=invitation,
            partner=self.partner,
            by=self.key.actor,
            emails=data["emails"],
            message=data.get("message", ""),
        )
        for delivery in deliveries:
            delivery.accepted_count = 0
        return Response(
            s.DeliverySerializer(deliveries, many=True).data, status=status.HTTP_201_CREATED
        )


# ------------------------------------------------------------------------------
# Customers, relationships, grants, partnerships
# ------------------------------------------------------------------------------
class CustomerListView(ApiView):
    """Customers of the organization with the relationships and grants it may see, as on the
    Customers page."""

    permissions = {"GET": "customers.view"}
    serializer_class = s.CustomerSerializer

    @extend_schema(
        parameters=[OpenApiParameter("search", str)], responses=s.CustomerSerializer(many=True)
    )
    def get(self, request):
        search = request.query_params.get("search", "").strip()[:200]
        if self.key.is_staff_key:
            qs = Customer.objects.prefetch_related(
                "relationships__provider",
                "relationships__reseller",
                "relationships__customer",
                "grants__service",
                "grants__partner",
                "grants__customer",
            ).order_by("name", "pk")
            if search:
                qs = qs.filter(name__icontains=search)
        else:
            qs = partner_customers(self.partner, search=search)
        return self.paginate(qs, s.CustomerSerializer)


class CustomerDetailView(ApiView):
    permissions = {"GET": "customers.view"}
    serializer_class = s.CustomerSerializer

    def get(self, request, customer_id: str):
        if self.key.is_staff_key:
            customer = Customer.objects.filter(public_id=customer_id).first()
        else:
            customer = partner_customers(self.partner).filter(public_id=customer_id).first()
        if customer is None:
            raise Http404
        return Response(s.CustomerSerializer(customer).data)


class RelationshipListView(ApiView):
    """Reseller relationships the organization owns (provider) or came through (reseller)."""

    permissions = {"GET": "customers.view"}
    serializer_class = s.RelationshipSerializer

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["active", "ended"])],
        responses=s.RelationshipSerializer(many=True),
    )
    def get(self, request):
        qs = _staff_or(
            self.key,
            ResellerRelationship.objects.all(),
            partner_relationships(self.partner) if self.partner else None,
        )
        state = request.query_params.get("state", "")
        if state in ResellerRelationship.State.values:
            qs = qs.filter(state=state)
        qs = qs.select_related("customer", "provider", "reseller").order_by("-started_at", "-pk")
        return self.paginate(qs, s.RelationshipSerializer)


class GrantListView(ApiView):
    """Active delegated admin grants the organization sees (read only: the customer grants,
    moves and removes them in the browser)."""

    permissions = {"GET": "customers.view"}
    serializer_class = s.GrantSerializer

    @extend_schema(
        parameters=[OpenApiParameter("customer", str)], responses=s.GrantSerializer(many=True)
    )
    def get(self, request):
        qs = _staff_or(
            self.key,
            DelegatedAdminGrant.objects.active(),
            partner_visible_grants(self.partner) if self.partner else None,
        )
        customer = request.query_params.get("customer", "")[:32]
        if customer:
            qs = qs.filter(customer__public_id=customer)
        qs = qs.select_related("customer", "service", "partner").order_by("-granted_at", "-pk")
        return self.paginate(qs, s.GrantSerializer)


class PartnershipListView(ApiView):
    """Reseller partnerships: a provider's resellers, or a reseller's providers."""

    permissions = {"GET": "partnerships.view"}
    serializer_class = s.PartnershipSerializer

    @extend_schema(responses=s.PartnershipSerializer(many=True))
    def get(self, request):
        if self.key.is_staff_key:
            qs = ResellerPartnership.objects.select_related("provider", "reseller").order_by(
                "-invited_at", "-pk"
            )
        elif self.partner.is_provider:
            qs = reseller_partnerships_for_provider(self.partner)
        else:
            qs = provider_partnerships_for_reseller(self.partner)
        return self.paginate(qs, s.PartnershipSerializer)


# ------------------------------------------------------------------------------
# The audit log
# ------------------------------------------------------------------------------
class AuditEventListView(ApiView):
    """The events the organization may see (as on its Activity page, with the personal data of
    other organizations' contacts hidden), newest first, cursor-paginated."""

    permissions = {"GET": "activity.view"}
    serializer_class = s.AuditEventSerializer
    pagination_class = AuditCursor

    @extend_schema(
        parameters=[
            OpenApiParameter("action", str),
            OpenApiParameter("since", OpenApiTypes.DATETIME),
            OpenApiParameter("until", OpenApiTypes.DATETIME),
            OpenApiParameter("target_type", str, description="e.g. invitations.invitation"),
            OpenApiParameter("target_id", str),
        ],
        responses=s.AuditEventSerializer(many=True),
    )
    def get(self, request):
        q = request.query_params
        if self.key.is_staff_key:
            qs = AuditEvent.objects.select_related(
                "actor", "acting_partner", "acting_customer", "customer"
            ).prefetch_related("partner_links")
        else:
            qs = partner_activity(
                partner=self.partner, filters=ActivityFilters(action=q.get("action", "")[:64])
            )
        if self.key.is_staff_key and q.get("action"):
            qs = qs.filter(action=q.get("action", "")[:64])
        for param, lookup in (("since", "created_at__gte"), ("until", "created_at__lt")):
            if q.get(param):
                try:
                    moment = parse_datetime(q[param])
                except ValueError:
                    moment = None
                if moment is None or moment.tzinfo is None:
                    raise ValidationError({param: [_("Use an ISO 8601 time with its offset.")]})
                qs = qs.filter(**{lookup: moment})
        if q.get("target_type"):
            qs = qs.filter(target_type=q["target_type"][:100])
        if q.get("target_id"):
            qs = qs.filter(target_id=q["target_id"][:64])
        page = self.paginate_queryset(qs)
        for event in page:
            if self.key.is_staff_key:
                event.actor_text = event.actor_email or ""
                event.subject = event.target_repr
                event.visible_data = event.data
            else:
                shown = visible_event(event, viewer_partner=self.partner)
                event.actor_text = actor_label(event, viewer_partner=self.partner)
                event.subject = shown.subject
                event.visible_data = shown.data
        return self.get_paginated_response(s.AuditEventSerializer(page, many=True).data)
