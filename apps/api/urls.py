"""/api/v1/ (the API, API keys only), /api/schema/ (OpenAPI 3.1) and /api/docs/ (Swagger UI
from our own static files, drf-spectacular-sidecar)."""

from django.contrib.auth.decorators import login_not_required
from django.middleware.http import ConditionalGetMiddleware
from django.urls import path
from django.utils.decorators import decorator_from_middleware
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

app_name = "api"

# ETag / If-None-Match on every GET (a 304 when the representation has not changed)
conditional = decorator_from_middleware(ConditionalGetMiddleware)


def api(view_class):
    return login_not_required(conditional(view_class.as_view()))


urlpatterns = [
    path("v1/me/", api(views.MeView), name="me"),
    path("v1/invitations/", api(views.InvitationListView), name="invitations"),
    path(
        "v1/invitations/<str:invitation_id>/",
        api(views.InvitationDetailView),
        name="invitation",
    ),
    path(
        "v1/invitations/<str:invitation_id>/revoke/",
        api(views.InvitationRevokeView),
        name="invitation-revoke",
    ),
    path(
        "v1/invitations/<str:invitation_id>/extend/",
        api(views.InvitationExtendView),
        name="invitation-extend",
    ),
    path(
        "v1/invitations/<str:invitation_id>/deliveries/",
        api(views.InvitationDeliveryListView),
        name="invitation-deliveries",
    ),
    path("v1/customers/", api(views.CustomerListView), name="customers"),
    path("v1/customers/<str:customer_id>/", api(views.CustomerDetailView), name="customer"),
    path("v1/relationships/", api(views.RelationshipListView), name="relationships"),
    path("v1/grants/", api(views.GrantListView), name="grants"),
    path("v1/partnerships/", api(views.PartnershipListView), name="partnerships"),
    path("v1/audit-events/", api(views.AuditEventListView), name="audit-events"),
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "docs/",
        login_not_required(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
