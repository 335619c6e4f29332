"""Create a partner organization and email its first Global admin a one-time link.

    python manage.py create_partner --name "Contoso Distribution" --kind indirect_provider \
        --admin-email admin@contoso.example [--contact-email …] [--country CN] [--pending]

The same service as the admin's "Create a partner" page; the audit log records it.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.partners.forms import PartnerCreateForm
from apps.partners.models import Partner
from apps.partners.services import partner_create


class Command(BaseCommand):
    help = "Create a partner organization and invite its first Global admin by email."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Organization name.")
        parser.add_argument(
            "--kind", required=True, choices=Partner.Kind.values, help="Kind of partner."
        )
        parser.add_argument("--admin-email", required=True, help="Email of the first Global admin.")
        parser.add_argument("--contact-email", default="", help="Defaults to the admin email.")
        parser.add_argument("--country", default="CN", help="Two-letter country code.")
        parser.add_argument(
            "--pending",
            action="store_true",
            help="Create it pending approval (default: active).",
        )

    def handle(self, *args, **options):
        form = PartnerCreateForm(
            data={
                "name": options["name"],
                "kind": options["kind"],
                "first_admin_email": options["admin_email"],
                "contact_email": options["contact_email"],
                "country": options["country"],
                "status": Partner.Status.PENDING if options["pending"] else Partner.Status.ACTIVE,
            }
        )
        if not form.is_valid():
            problems = "; ".join(
                f"{field}: {' '.join(errors)}" for field, errors in form.errors.items()
            )
            raise CommandError(problems)
        try:
            partner, invitation = partner_create(
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                first_admin_email=form.cleaned_data["first_admin_email"],
                contact_email=form.cleaned_data["contact_email"],
                country=form.cleaned_data["country"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {partner.name} ({partner.get_kind_display()}, "
                f"{partner.get_status_display()}) with partner ID {partner.public_id}."
            )
        )
        self.stdout.write(
            f"Emailed {invitation.email} a link to join as Global admin; it expires "
            f"{invitation.expires_at:%Y-%m-%d %H:%M %Z}."
        )
