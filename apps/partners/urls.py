from django.urls import path

from . import views

app_name = "partners"

org = "p/<str:partner_id>/"

urlpatterns = [
    path(org, views.PartnerHomeView.as_view(), name="home"),
    # Team
    path(f"{org}team/", views.TeamView.as_view(), name="team"),
    path(f"{org}team/invite/", views.TeamInviteView.as_view(), name="team_invite"),
    path(
        f"{org}team/members/<int:membership_id>/role/",
        views.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        f"{org}team/members/<int:membership_id>/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        f"{org}team/invitations/<int:invitation_id>/resend/",
        views.TeamInvitationActionView.as_view(action="resend"),
        name="team_invitation_resend",
    ),
    path(
        f"{org}team/invitations/<int:invitation_id>/revoke/",
        views.TeamInvitationActionView.as_view(action="revoke"),
        name="team_invitation_revoke",
    ),
    # Resellers (provider side)
    path(f"{org}resellers/", views.ResellersView.as_view(), name="resellers"),
    path(f"{org}resellers/invite/", views.ResellerInviteView.as_view(), name="reseller_invite"),
    path(f"{org}resellers/<int:pk>/", views.ResellerDetailView.as_view(), name="reseller_detail"),
    path(
        f"{org}resellers/<int:pk>/suspend/",
        views.PartnershipActionView.as_view(action="suspend"),
        name="partnership_suspend",
    ),
    path(
        f"{org}resellers/<int:pk>/reactivate/",
        views.PartnershipActionView.as_view(action="reactivate"),
        name="partnership_reactivate",
    ),
    path(
        f"{org}resellers/<int:pk>/resend/",
        views.PartnershipActionView.as_view(action="resend"),
        name="partnership_resend",
    ),
    path(
        f"{org}resellers/<int:pk>/revoke/",
        views.PartnershipActionView.as_view(action="revoke"),
        name="partnership_revoke",
    ),
    path(
        f"{org}resellers/<int:pk>/end/", views.PartnershipEndView.as_view(), name="partnership_end"
    ),
    # Providers (reseller side)
    path(f"{org}providers/", views.ProvidersView.as_view(), name="providers"),
    path(f"{org}providers/<int:pk>/end/", views.ProviderEndView.as_view(), name="provider_end"),
    # Organization profile
    path(f"{org}profile/", views.ProfileView.as_view(), name="profile"),
    path(f"{org}profile/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    # One-time links (public). The landing pages come first: "team" is not a token.
    path("t/team/", views.TeamJoinView.as_view(), name="team_join"),
    path("t/partnership/", views.PartnershipJoinView.as_view(), name="partnership_join"),
    path("t/<str:token>/", views.LinkView.as_view(), name="link"),
]
