from django.urls import path

from . import views

app_name = "customers"

urlpatterns = [
    # customer organization pages
    path("c/<str:customer_id>/", views.CustomerHomeView.as_view(), name="home"),
    path(
        "c/<str:customer_id>/relationships/",
        views.CustomerRelationshipsView.as_view(),
        name="relationships",
    ),
    path(
        "c/<str:customer_id>/relationships/grant/",
        views.GrantSetView.as_view(),
        name="grant_set",
    ),
    path(
        "c/<str:customer_id>/relationships/grants/<int:grant_id>/remove/",
        views.GrantRemoveView.as_view(),
        name="grant_remove",
    ),
    # partner organization pages
    path(
        "p/<str:partner_id>/customers/",
        views.PartnerCustomerListView.as_view(),
        name="partner_customers",
    ),
    path(
        "p/<str:partner_id>/customers/<str:customer_id>/",
        views.PartnerCustomerDetailView.as_view(),
        name="partner_customer",
    ),
    path(
        "p/<str:partner_id>/customers/<str:customer_id>/relationships/<int:relationship_id>/end/",
        views.RelationshipEndView.as_view(),
        name="relationship_end",
    ),
]
