from django.urls import path

from . import views_pages as views

app_name = "automation"

org = "p/<public_id:partner_id>/"

urlpatterns = [
    path(f"{org}api-keys/", views.ApiKeysView.as_view(), name="keys"),
    path(
        f"{org}api-keys/<dbid:key_id>/revoke/", views.ApiKeyRevokeView.as_view(), name="key_revoke"
    ),
    path(f"{org}webhooks/", views.WebhooksView.as_view(), name="webhooks"),
    path(f"{org}webhooks/<dbid:endpoint_id>/", views.WebhookDetailView.as_view(), name="webhook"),
    path(
        f"{org}webhooks/<dbid:endpoint_id>/remove/",
        views.WebhookRemoveView.as_view(),
        name="webhook_remove",
    ),
    path(
        f"{org}webhooks/<dbid:endpoint_id>/deliveries/<dbid:delivery_id>/resend/",
        views.WebhookResendView.as_view(),
        name="delivery_resend",
    ),
]
