from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path(
        "p/<public_id:partner_id>/activity/",
        views.PartnerActivityView.as_view(),
        name="partner_activity",
    ),
    path(
        "p/<public_id:partner_id>/activity/export.csv",
        views.PartnerActivityExportView.as_view(),
        name="partner_activity_export",
    ),
    path(
        "c/<public_id:customer_id>/activity/",
        views.CustomerActivityView.as_view(),
        name="customer_activity",
    ),
    path(
        "c/<public_id:customer_id>/activity/export.csv",
        views.CustomerActivityExportView.as_view(),
        name="customer_activity_export",
    ),
]
