"""Print a session cookie for a user (the HTTP run signs in without a login form)."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts.models import User  # noqa: E402

if __name__ == "__main__":
    client = Client()
    client.force_login(User.objects.get(email=sys.argv[1]))
    print(client.cookies[settings.SESSION_COOKIE_NAME].value)
