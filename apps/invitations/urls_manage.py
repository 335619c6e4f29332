# Link landing (/i/<token>/, /i/), partner-side invitation pages.
from django.urls import path

from . import views, views_bulk, views_link, views_received

PARTNER = "p/<public_id:partner_id>/invitations/"
INVITATION = PARTNER + "<public_id:invitation_id>/"

urlpatterns: list = [
    path("i/", views_link.landing, name="landing"),
    path(
        "c/<public_id:customer_id>/invitations/",
        views_received.ReceivedInvitationsView.as_view(),
        name="received",
    ),
    path("i/<token:token>/", views_link.link, name="link"),
    path(PARTNER, views.InvitationListView.as_view(), name="list"),
    path(PARTNER + "new/", views.InvitationCreateView.as_view(), name="create"),
    path(PARTNER + "bulk/", views_bulk.InvitationBulkView.as_view(), name="bulk"),
    # a reseller asks a provider for a link; the provider's list of requests
    path(
        PARTNER + "request-link/<dbid:partnership_id>/",
        views.LinkRequestCreateView.as_view(),
        name="link_request",
    ),
    path(PARTNER + "requests/", views.LinkRequestListView.as_view(), name="link_requests"),
    path(
        PARTNER + "requests/<dbid:request_id>/handled/",
        views.LinkRequestHandleView.as_view(),
        name="link_request_handle",
    ),
    path(INVITATION, views.InvitationDetailView.as_view(), name="detail"),
    path(INVITATION + "send/", views.InvitationSendView.as_view(), name="send"),
    path(INVITATION + "revoke/", views.InvitationRevokeView.as_view(), name="revoke"),
    path(
        INVITATION + "deliveries/<dbid:delivery_id>/resend/",
        views.DeliveryResendView.as_view(),
        name="resend",
    ),
]
