"""Routes of the invitations app. Kept in two lists so that link/management pages and the
customer's acceptance pages can grow independently.

The acceptance routes come first: `i/<token:token>/` would otherwise also match fixed paths such
as `i/accept/` (a real token always contains a ".", so no token is shadowed by them).
"""

from .urls_accept import urlpatterns as accept_urlpatterns
from .urls_manage import urlpatterns as manage_urlpatterns

app_name = "invitations"

urlpatterns = accept_urlpatterns + manage_urlpatterns
