from django.urls import path

from . import views, views_dap, views_team

app_name = "customers"

urlpatterns = [
    # customer organization pages
    path("c/<public_id:customer_id>/", views.CustomerHomeView.as_view(), name="home"),
    path(
        "c/<public_id:customer_id>/relationships/",
        views.CustomerRelationshipsView.as_view(),
        name="relationships",
    ),
    path(
        "c/<public_id:customer_id>/relationships/grant/",
        views.GrantSetView.as_view(),
        name="grant_set",
    ),
    path(
        "c/<public_id:customer_id>/relationships/grants/<dbid:grant_id>/remove/",
        views.GrantRemoveView.as_view(),
        name="grant_remove",
    ),
    path(
        "c/<public_id:customer_id>/relationships/grants/<dbid:grant_id>/end-date/",
        views_dap.GrantLifetimeView.as_view(),
        name="grant_lifetime",
    ),
    path(
        "c/<public_id:customer_id>/dap-requests/",
        views_dap.CustomerDapRequestListView.as_view(),
        name="dap_requests",
    ),
    path(
        "c/<public_id:customer_id>/dap-requests/new/",
        views_dap.CustomerDapRequestCreateView.as_view(),
        name="dap_request_create",
    ),
    path(
        "c/<public_id:customer_id>/dap-requests/<public_id:request_id>/",
        views_dap.CustomerDapRequestView.as_view(),
        name="dap_request",
    ),
    # a partner's delegated admin request: the one-time link and its token-free landing
    path("r/<token:token>/", views_dap.dap_request_link, name="dap_request_link"),
    path("r/", views_dap.dap_request_landing, name="dap_request_landing"),
    # tenant verification and the customer's team
    path(
        "c/<public_id:customer_id>/verify/",
        views_team.CustomerVerifyView.as_view(),
        name="verify",
    ),
    path("c/<public_id:customer_id>/team/", views_team.CustomerTeamView.as_view(), name="team"),
    path(
        "c/<public_id:customer_id>/team/invite/",
        views_team.CustomerTeamInviteView.as_view(),
        name="team_invite",
    ),
    path(
        "c/<public_id:customer_id>/team/invitations/<dbid:invitation_id>/revoke/",
        views_team.CustomerTeamInvitationRevokeView.as_view(),
        name="team_invitation_revoke",
    ),
    path(
        "c/<public_id:customer_id>/team/members/<dbid:membership_id>/remove/",
        views_team.CustomerMemberRemoveView.as_view(),
        name="member_remove",
    ),
    # customer-team links (public): the link, then its token-free landing page
    path("ct/join/", views_team.CustomerTeamJoinView.as_view(), name="team_join"),
    path("ct/<token:token>/", views_team.CustomerTeamLinkView.as_view(), name="team_link"),
    # partner organization pages
    path(
        "p/<public_id:partner_id>/customers/",
        views.PartnerCustomerListView.as_view(),
        name="partner_customers",
    ),
    path(
        "p/<public_id:partner_id>/customers/export/",
        views.PartnerCustomerExportView.as_view(),
        name="partner_customers_export",
    ),
    path(
        "p/<public_id:partner_id>/customers/<public_id:customer_id>/",
        views.PartnerCustomerDetailView.as_view(),
        name="partner_customer",
    ),
    path(
        "p/<public_id:partner_id>/customers/<public_id:customer_id>/relationships/<dbid:relationship_id>/end/",
        views.RelationshipEndView.as_view(),
        name="relationship_end",
    ),
    path(
        "p/<public_id:partner_id>/customers/<public_id:customer_id>/dap-request/",
        views_dap.PartnerDapRequestCreateView.as_view(),
        name="partner_dap_request_create",
    ),
    path(
        "p/<public_id:partner_id>/customers/<public_id:customer_id>/grants/<dbid:grant_id>/give-up/",
        views_dap.GrantRelinquishView.as_view(),
        name="grant_relinquish",
    ),
    path(
        "p/<public_id:partner_id>/dap-requests/",
        views_dap.PartnerDapRequestListView.as_view(),
        name="partner_dap_requests",
    ),
    path(
        "p/<public_id:partner_id>/dap-requests/<public_id:request_id>/",
        views_dap.PartnerDapRequestView.as_view(),
        name="partner_dap_request",
    ),
    path(
        "p/<public_id:partner_id>/grants/ending/",
        views_dap.ExpiringGrantsView.as_view(),
        name="grants_expiring",
    ),
]
