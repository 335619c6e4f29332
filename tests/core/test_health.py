"""/healthz reports the outbox: a backlog is visible to monitoring but is not an outage."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.core.models import OutboundEmail
from apps.core.outbox import enqueue

from .conftest import make_message

pytestmark = pytest.mark.django_db


def queue(count, *, age=timedelta(0), status=OutboundEmail.Status.QUEUED):
    with transaction.atomic():
        emails = [enqueue(make_message(f"n{i}@northwind.test")) for i in range(count)]
    OutboundEmail.objects.filter(pk__in=[e.pk for e in emails]).update(
        status=status, created_at=timezone.now() - age
    )


def test_it_reports_queued_failed_and_the_oldest_queued_age(client):
    queue(2, age=timedelta(minutes=10))
    queue(1)
    queue(3, age=timedelta(days=2), status=OutboundEmail.Status.FAILED)
    queue(4, age=timedelta(days=3), status=OutboundEmail.Status.SENT)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    outbox = response.json()["outbox"]
    assert outbox["queued"] == 3 and outbox["failed"] == 3
    assert 600 <= outbox["oldest_queued_age_seconds"] < 660


def test_a_big_backlog_is_reported_not_an_outage(client):
    queue(50, age=timedelta(hours=6))
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["outbox"]["queued"] == 50
