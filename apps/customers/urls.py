from django.urls import path

from . import views

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
]
