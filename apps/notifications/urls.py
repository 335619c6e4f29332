from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.NotificationListView.as_view(), name="list"),
    path("notifications/read/", views.MarkAllReadView.as_view(), name="mark_all_read"),
    path(
        "notifications/<dbid:notification_id>/open/",
        views.NotificationOpenView.as_view(),
        name="open",
    ),
    path("notifications/settings/", views.NotificationSettingsView.as_view(), name="settings"),
]
