from django.urls import path

from .views import links, organization, partnerships, team

app_name = "partners"

org = "p/<public_id:partner_id>/"

urlpatterns = [
    path(org, organization.PartnerHomeView.as_view(), name="home"),
    # Team
    path(f"{org}team/", team.TeamView.as_view(), name="team"),
    path(f"{org}team/invite/", team.TeamInviteView.as_view(), name="team_invite"),
    path(
        f"{org}team/members/<dbid:membership_id>/role/",
        team.MemberRoleView.as_view(),
        name="member_role",
    ),
    path(
        f"{org}team/members/<dbid:membership_id>/remove/",
        team.MemberRemoveView.as_view(),
        name="member_remove",
    ),
    path(
        f"{org}team/invitations/<dbid:invitation_id>/resend/",
        team.TeamInvitationActionView.as_view(action="resend"),
        name="team_invitation_resend",
    ),
    path(
        f"{org}team/invitations/<dbid:invitation_id>/revoke/",
        team.TeamInvitationRevokeView.as_view(),
        name="team_invitation_revoke",
    ),
    # Resellers (provider side)
    path(f"{org}resellers/", partnerships.ResellersView.as_view(), name="resellers"),
    path(
        f"{org}resellers/invite/", partnerships.ResellerInviteView.as_view(), name="reseller_invite"
    ),
    path(
        f"{org}resellers/<dbid:pk>/",
        partnerships.ResellerDetailView.as_view(),
        name="reseller_detail",
    ),
    path(
        f"{org}resellers/<dbid:pk>/suspend/",
        partnerships.PartnershipActionView.as_view(action="suspend"),
        name="partnership_suspend",
    ),
    path(
        f"{org}resellers/<dbid:pk>/reactivate/",
        partnerships.PartnershipActionView.as_view(action="reactivate"),
        name="partnership_reactivate",
    ),
    path(
        f"{org}resellers/<dbid:pk>/resend/",
        partnerships.PartnershipActionView.as_view(action="resend"),
        name="partnership_resend",
    ),
    path(
        f"{org}resellers/<dbid:pk>/revoke/",
        partnerships.PartnershipInvitationRevokeView.as_view(),
        name="partnership_revoke",
    ),
    path(
        f"{org}resellers/<dbid:pk>/end/",
        partnerships.PartnershipEndView.as_view(),
        name="partnership_end",
    ),
    # Providers (reseller side)
    path(f"{org}providers/", partnerships.ProvidersView.as_view(), name="providers"),
    path(
        f"{org}providers/<dbid:pk>/end/",
        partnerships.ProviderEndView.as_view(),
        name="provider_end",
    ),
    # Organization profile
    path(f"{org}profile/", organization.ProfileView.as_view(), name="profile"),
    path(f"{org}profile/edit/", organization.ProfileEditView.as_view(), name="profile_edit"),
    path(f"{org}profile/mfa/", organization.ProfileMFAView.as_view(), name="profile_mfa"),
    # One-time links (public). The landing pages come first: "team" is not a token.
    path("t/team/", links.TeamJoinView.as_view(), name="team_join"),
    path("t/partnership/", links.PartnershipJoinView.as_view(), name="partnership_join"),
    path("t/<token:token>/", links.LinkView.as_view(), name="link"),
]
