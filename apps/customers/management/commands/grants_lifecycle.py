"""Delegated admin end dates: reminders 30, 7 and 1 day before, auto-extension and expiry.

Run it every few minutes from cron (or a systemd timer) on any host that reaches the
database; any number of copies may run at once (docs/operations.md). With --enqueue it only
hands the pass to the task workers (`manage.py db_worker`) and returns at once.
"""

from django.core.management.base import BaseCommand

from apps.customers.grants import grants_lifecycle_run


class Command(BaseCommand):
    help = "Send delegated admin reminders, auto-extend and end grants whose end date passed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Queue the pass for the task workers instead of running it here.",
        )

    def handle(self, *args, enqueue, **options):
        if enqueue:
            from apps.customers.tasks import grants_lifecycle

            result = grants_lifecycle.enqueue()
            self.stdout.write(f"Queued: {result.id}")
            return
        self.stdout.write(str(grants_lifecycle_run()))
