"""`make run` loads the demo with seed_demo: it must work on an empty database, twice."""

from io import StringIO

from django.core.management import call_command
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.customers.models import DelegatedAdminGrant, ResellerRelationship
from apps.invitations.models import Invitation
from apps.partners.models import Partner, PartnerMembership
from apps.portal.management.commands.seed_demo import DEMO_PASSWORD, DEMO_USERS


def _counts():
    return [
        model.objects.count()
        for model in (
            Partner,
            PartnerMembership,
            Invitation,
            ResellerRelationship,
            DelegatedAdminGrant,
            AuditEvent,
        )
    ]


def test_seed_demo_prints_the_logins_and_is_idempotent(db, services):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    for email, *_ in DEMO_USERS:
        assert email in out.getvalue()
    first = _counts()
    assert all(first), first
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first


def test_every_demo_login_signs_in_and_sees_the_dashboard(db, services, client):
    call_command("seed_demo", stdout=StringIO())
    for email, *_ in DEMO_USERS:
        response = client.post(
            reverse("accounts:login"), {"username": email.upper(), "password": DEMO_PASSWORD}
        )
        assert response.status_code == 302, email
        # the dashboard, or straight to the only organization (issue 16)
        assert client.get(reverse("dashboard"), follow=True).status_code == 200
        client.post(reverse("accounts:logout"))
