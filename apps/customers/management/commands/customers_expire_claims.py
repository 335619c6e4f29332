"""Close unverified tenant claims older than TENANT_CLAIM_DAYS (run daily from cron)."""

from django.core.management.base import BaseCommand

from apps.customers.verification import claims_expire


class Command(BaseCommand):
    help = (
        "Close every unverified customer claim on a tenant domain older than TENANT_CLAIM_DAYS "
        "and tell its members. Idempotent: safe to run as often as you like, from several hosts."
    )

    def handle(self, *args, **options):
        closed = claims_expire()
        self.stdout.write(f"Closed {closed} expired unverified claim(s).")
