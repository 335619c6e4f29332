from django.core.management.base import BaseCommand

from apps.notifications.models import RETENTION_DAYS
from apps.notifications.services import notifications_prune


class Command(BaseCommand):
    help = f"Delete notifications older than {RETENTION_DAYS} days."

    def handle(self, *args, **options):
        deleted = notifications_prune()
        self.stdout.write(f"{deleted} notification(s) deleted.")
