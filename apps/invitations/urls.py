"""Routes of the invitations app. Kept in two lists so that link/management pages and the
customer's acceptance pages can grow independently."""

from .urls_accept import urlpatterns as accept_urlpatterns
from .urls_manage import urlpatterns as manage_urlpatterns

app_name = "invitations"

urlpatterns = manage_urlpatterns + accept_urlpatterns
