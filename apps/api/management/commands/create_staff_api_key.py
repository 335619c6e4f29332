"""Create an operator (staff) API key: read access to every organization's data.

manage.py create_staff_api_key "Reporting"
"""

from django.core.management.base import BaseCommand

from apps.api.services import staff_api_key_create


class Command(BaseCommand):
    help = "Create a read-only staff API key and print it once."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        key, secret = staff_api_key_create(name=name)
        self.stdout.write(f"Staff key {key.prefix} created. Copy it now, it is not shown again:")
        self.stdout.write(secret)
