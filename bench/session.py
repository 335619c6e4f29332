"""Print the cookies of a signed-in browser for a user (the HTTP run signs in without a login
form): the session, and the CSRF cookie a browser gets with its first page and sends back."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import User  # noqa: E402

if __name__ == "__main__":
    client = Client(headers={"x-forwarded-proto": "https"})
    client.force_login(User.objects.get(email=sys.argv[1]))
    response = client.get("/", secure=True, follow=True)
    names = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        sys.exit(f"no CSRF cookie after {response.redirect_chain} -> {response.status_code}")
    print("; ".join(f"{name}={client.cookies[name].value}" for name in names))
