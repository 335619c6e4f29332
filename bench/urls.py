"""The portal's URLs plus what only the bench needs: a bare view (the ceiling of requests per
second on this server) and a stock Django admin over the same models (the floor the tuned
admin must not fall below)."""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path

from apps.audit.models import AuditEvent
from apps.customers.models import Customer, ResellerRelationship
from apps.invitations.models import Invitation


@login_not_required
def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


def bare_session(request):
    """Loads the session and the signed-in user (LoginRequiredMiddleware), nothing else."""
    return HttpResponse(request.user.email.encode(), content_type="text/plain")


stock_admin = admin.AdminSite(name="stock_admin")
for model in (AuditEvent, Customer, ResellerRelationship, Invitation):
    stock_admin.register(model)

urlpatterns = [
    path("bench/bare/", bare),
    path("bench/session/", bare_session),
    path("stock-admin/", stock_admin.urls),
    path("", include("config.urls")),
]
