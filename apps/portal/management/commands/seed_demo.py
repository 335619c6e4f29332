"""Create the demo organizations and users listed in the README. Safe to run again."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from apps.accounts.models import User
from apps.customers.models import Customer, CustomerMembership
from apps.partners.models import Partner, PartnerMembership, ResellerPartnership, Role
from apps.portal.auditors import grant_view_permissions
from apps.portal.demo import SEEDERS

DEMO_PASSWORD = "PortalDemo!2026"

# (email, display name, partner key or None, role) — the README lists the same table
DEMO_USERS = [
    ("operator@demo.test", "Olivia Operator", None, None),
    ("auditor@demo.test", "Aaron Auditor", None, None),
    ("admin@contoso-dist.test", "Chen Wei", "contoso", Role.GLOBAL_ADMIN),
    ("agent@contoso-dist.test", "Li Na", "contoso", Role.ADMIN_AGENT),
    ("sales@contoso-dist.test", "Wang Fang", "contoso", Role.SALES_AGENT),
    ("helpdesk@contoso-dist.test", "Zhang Min", "contoso", Role.HELPDESK_AGENT),
    ("admin@fabrikam.test", "Marco Rossi", "fabrikam", Role.GLOBAL_ADMIN),
    ("admin@tailspin.test", "Giulia Bianchi", "tailspin", Role.GLOBAL_ADMIN),
    ("admin@northwind.test", "Liu Yang", "northwind-customer", None),
]

PARTNERS = {
    "contoso": ("Contoso Distribution", Partner.Kind.INDIRECT_PROVIDER, "PCONTOSO01"),
    "fabrikam": ("Fabrikam Solutions", Partner.Kind.INDIRECT_RESELLER, "PFABRIKAM1"),
    "tailspin": ("Tailspin Cloud Services", Partner.Kind.INDIRECT_RESELLER, "PTAILSPIN1"),
}


class Command(BaseCommand):
    help = "Create demo organizations and users (idempotent)."

    def handle(self, *args, **options):
        # The demo's own invitation and notice emails would bury the logins below on the
        # console backend: keep them in memory while seeding.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            transaction.atomic(),
        ):
            self.seed()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with any of these:"))
        for email, _name, _org, _role in DEMO_USERS:
            self.stdout.write(f"  {email:32} {DEMO_PASSWORD}")

    def seed(self):
        now = timezone.now()
        partners = {}
        for key, (name, kind, public_id) in PARTNERS.items():
            partners[key], _ = Partner.objects.get_or_create(
                public_id=public_id,
                defaults={
                    "name": name,
                    "kind": kind,
                    "status": Partner.Status.ACTIVE,
                    "contact_email": f"admin@{key}.test",
                },
            )
        customer, _ = Customer.objects.get_or_create(
            tenant_domain="northwind.partner.onmschina.cn",
            defaults={
                "name": "Northwind Traders",
                "public_id": "CNORTHWIND",
                # the operator checked the demo tenant (docs/decisions.md, tenant proof)
                "verification_status": "verified",
                "verified_at": now,
                "verification_method": "operator",
                "verification_note": "Demo data (seed_demo).",
            },
        )
        for email, display_name, org, role in DEMO_USERS:
            user = User.objects.filter(email__iexact=email).first()
            if user is None:
                user = User.objects.create_user(email, DEMO_PASSWORD, display_name=display_name)
            if email.startswith("operator@"):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            elif email.startswith("auditor@"):
                user.is_staff = True
                user.save(update_fields=["is_staff"])
                user.groups.add(grant_view_permissions())
            elif org == "northwind-customer":
                CustomerMembership.objects.get_or_create(user=user, customer=customer)
            else:
                PartnerMembership.objects.get_or_create(
                    user=user, partner=partners[org], defaults={"role": role}
                )
        if not ResellerPartnership.objects.filter(
            provider=partners["contoso"], reseller=partners["fabrikam"]
        ).exists():
            ResellerPartnership.objects.create(
                provider=partners["contoso"],
                reseller=partners["fabrikam"],
                state=ResellerPartnership.State.ACTIVE,
                invited_email="admin@fabrikam.test",
                invited_at=now - timedelta(days=30),
                activated_at=now - timedelta(days=29),
            )
        if not ResellerPartnership.objects.filter(
            provider=partners["contoso"], reseller=partners["tailspin"]
        ).exists():
            ResellerPartnership.objects.create(
                provider=partners["contoso"],
                reseller=partners["tailspin"],
                state=ResellerPartnership.State.ACTIVE,
                invited_email="admin@tailspin.test",
                invited_at=now - timedelta(days=20),
                activated_at=now - timedelta(days=19),
            )
        # Then each app's demo records (invitations, relationships, …), from apps/portal/demo/
        for seed in SEEDERS:
            seed(partners=partners, customer=customer, stdout=self.stdout)
