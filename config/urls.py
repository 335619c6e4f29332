from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from apps.accounts import passkey_views
from apps.accounts import views as account_views

from . import views

urlpatterns = [
    path("", account_views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("language/", account_views.set_language, name="set_language"),
    path("accounts/", include("apps.accounts.urls")),
    # passkeys (django-otp-webauthn's JSON endpoints, in its own "otp_webauthn" namespace)
    path("accounts/mfa/passkeys/", include(passkey_views.webauthn_patterns)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("", include("apps.notifications.urls")),
    path("", include("apps.partners.urls")),
    path("", include("apps.customers.urls")),
    path("", include("apps.invitations.urls")),
    path("", include("apps.portal.urls")),
    path("api/", include("apps.api.urls")),
    path("", include("apps.api.urls_pages")),
]

handler400 = "config.views.bad_request"
handler403 = "config.views.permission_denied"
handler404 = "config.views.page_not_found"
handler500 = "config.views.server_error"
