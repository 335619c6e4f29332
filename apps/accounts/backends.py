from django.contrib.auth.backends import ModelBackend


class EmailBackend(ModelBackend):
    """Sign in by email in any letter case (the manager looks the email up with iexact)."""
