"""Import existing subscriptions (operator direct, Advisor program, CSP) from a CSV file."""

import csv
import io
import sys

from django.core.management.base import BaseCommand, CommandError

from apps.accounts.models import User
from apps.customers.services import (
    IMPORT_COLUMNS,
    SubscriptionImportError,
    subscription_import,
)


class Command(BaseCommand):
    help = (
        "Import subscriptions from a CSV file with a header row. Columns: "
        + ", ".join(IMPORT_COLUMNS)
        + ". customer is the tenant domain or customer ID; partner_of_record the partner ID "
        "(empty for operator direct). Existing subscription IDs are updated. Every row is "
        "checked first: if any row is wrong, nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV file (UTF-8), or - for standard input")
        parser.add_argument(
            "--operator",
            help="Email of the operator staff member doing the import (for the audit log)",
        )
        parser.add_argument("--delimiter", default=",", help="Field delimiter (default: comma)")

    def handle(self, *args, path, operator=None, delimiter=",", **options):
        imported_by = None
        if operator:
            imported_by = User.objects.filter(email__iexact=operator, is_staff=True).first()
            if imported_by is None:
                raise CommandError(f"No operator staff account with the email {operator}.")
        rows = self._read(path, delimiter)
        try:
            result = subscription_import(rows=rows, by=imported_by)
        except SubscriptionImportError as exc:
            for message in exc.messages:
                self.stderr.write(message)
            raise CommandError(
                f"Nothing was imported: {len(exc.messages)} problem(s) found. "
                "Correct the file and run the command again."
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.created + result.updated} subscription(s): "
                f"{result.created} created, {result.updated} updated."
            )
        )

    def _read(self, path: str, delimiter: str) -> list[dict[str, str]]:
        try:
            if path == "-":
                text = sys.stdin.read()
            else:
                with open(path, encoding="utf-8-sig", newline="") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
        except UnicodeDecodeError:
            raise CommandError(f"{path} is not UTF-8 text.") from None
        reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
        if reader.fieldnames is None:
            raise CommandError(f"{path} is empty.")
        reader.fieldnames = [(name or "").strip().lower() for name in reader.fieldnames]
        try:
            return [{key: value for key, value in row.items() if key is not None} for row in reader]
        except csv.Error as exc:
            raise CommandError(f"{path} is not valid CSV: {exc}.") from None
