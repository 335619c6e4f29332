import contextlib
from datetime import timedelta
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from apps.portal.services import auditor_add
from tests import factories

from .fake_smtp import FakeSMTPServer, use_fake_smtp


@pytest.fixture
def smtp(settings):
    """A real SMTP server on localhost (not started: the port refuses connections), used
    through Django's SMTP backend; delivery only by the worker, as in production."""
    server = FakeSMTPServer()
    use_fake_smtp(settings, server)
    yield server
    server.stop()


def make_message(to="a@northwind.test", **kwargs) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=kwargs.pop("subject", "Hello"),
        body=kwargs.pop("body", "Plain text"),
        from_email=kwargs.pop("from_email", "Portal <noreply@portal.test>"),
        to=[to],
        **kwargs,
    )
    message.attach_alternative("<p>HTML</p>", "text/html")
    return message


def run_worker() -> None:
    """What `manage.py db_worker --batch` does: run every task that is due, then return."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


@contextlib.contextmanager
def travel(seconds: float):
    """Move the clock forward (for the outbox and the task queue alike)."""
    real_now = timezone.now
    target = real_now() + timedelta(seconds=seconds)
    with mock.patch("django.utils.timezone.now", side_effect=lambda: target):
        yield target


@pytest.fixture
def auditor(db):
    user, _created = auditor_add(
        email="auditor@example.test", display_name="Ada Auditor", password=factories.PASSWORD
    )
    return user
