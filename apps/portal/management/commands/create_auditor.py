"""python manage.py create_auditor EMAIL [--name NAME]: an operator auditor (admin, view only)."""

import getpass
import sys

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.portal.auditors import AUDITORS_GROUP, is_read_only_staff
from apps.portal.services import auditor_add


class Command(BaseCommand):
    help = (
        f"Make EMAIL an operator auditor: staff in the {AUDITORS_GROUP} group, who can read "
        "every model in the admin and change nothing. Creates the user if the email is new."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--name", default="", help="Display name for a new user.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for a password: a new user sets one with 'Forgot your password?'.",
        )

    def handle(self, *args, email, name, interactive, **options):
        password = None
        if interactive and sys.stdin.isatty() and self._is_new(email):
            password = self._ask_password()
        try:
            user, created = auditor_add(email=email, display_name=name, password=password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} {user.email}: auditor ({AUDITORS_GROUP})."))
        if created and not password:
            self.stdout.write(
                "No password was set: they choose one with 'Forgot your password?' on the "
                "sign-in page."
            )
        if not is_read_only_staff(user):
            self.stdout.write(
                self.style.WARNING(
                    f"{user.email} also holds add, change or delete permissions (directly or "
                    "through another group), so the admin lets them change those models."
                )
            )

    def _is_new(self, email: str) -> bool:
        return not get_user_model().objects.filter(email__iexact=email.strip()).exists()

    def _ask_password(self) -> str | None:
        first = getpass.getpass("Password (empty: they set one by password reset): ")
        if not first:
            return None
        if getpass.getpass("Password again: ") != first:
            raise CommandError("The passwords do not match.")
        return first
