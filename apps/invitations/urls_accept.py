# The customer side of a link: accept, decline, create the customer organization.
from django.urls import path

from . import views_accept

# Two path segments after i/, so that the link route i/<token>/ can never shadow them.
urlpatterns: list = [
    path("i/respond/accept/", views_accept.AcceptView.as_view(), name="accept"),
    path("i/respond/decline/", views_accept.DeclineView.as_view(), name="decline"),
    path("i/respond/organization/", views_accept.AcceptSignupView.as_view(), name="accept_signup"),
]
