"""Queue again the outbox rows whose delivery task was lost. Run it from cron every few
minutes next to the workers; it is safe to run any number of times, from any host."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from apps.core.outbox import requeue_overdue


class Command(BaseCommand):
    help = "Queue a delivery task again for queued emails that are overdue and have none waiting."

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=settings.OUTBOX_REQUEUE_AFTER_SECONDS,
            help="Seconds past its next attempt before a row counts as lost (default: "
            "%(default)s, OUTBOX_REQUEUE_AFTER_SECONDS).",
        )

    def handle(self, *args, older_than, **options):
        count = requeue_overdue(older_than=timedelta(seconds=older_than))
        self.stdout.write(f"Queued again: {count}")
