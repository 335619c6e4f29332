"""Operators see the outbox in the admin and can send failed emails again."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.db import transaction
from django.urls import reverse

from apps.audit.models import AuditEvent
from apps.core.models import OutboundEmail
from apps.core.outbox import enqueue

from .conftest import make_message

CHANGELIST = "admin:core_outboundemail_changelist"
Status = OutboundEmail.Status


@pytest.fixture
def failed_email(db):
    with transaction.atomic():
        email = enqueue(make_message("gone@northwind.test", subject="Your invitation"))
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=Status.FAILED, attempts=8, last_error="SMTPRecipientsRefused: 550 no such user"
    )
    return email


@pytest.fixture
def sent_email(db):
    with transaction.atomic():
        email = enqueue(make_message("ok@northwind.test", subject="Welcome"))
    OutboundEmail.objects.filter(pk=email.pk).update(status=Status.SENT, attempts=1)
    return email


def test_the_list_shows_status_recipient_subject_attempts_and_error(
    failed_email, sent_email, cast, client
):
    client.force_login(cast.staff)
    body = client.get(reverse(CHANGELIST)).content.decode()
    assert "gone@northwind.test" in body and "Your invitation" in body
    assert "550 no such user" in body
    assert "ok@northwind.test" in body
    failed_only = client.get(reverse(CHANGELIST), {"status__exact": "failed"}).content.decode()
    assert "gone@northwind.test" in failed_only and "ok@northwind.test" not in failed_only


def test_rows_cannot_be_added_changed_or_deleted(failed_email, cast, client):
    client.force_login(cast.staff)
    change = reverse("admin:core_outboundemail_change", args=[failed_email.pk])
    page = client.get(change).content.decode()
    assert "gone@northwind.test" in page and 'name="_save"' not in page
    assert client.post(change, {"subject": "changed"}).status_code == 403
    assert client.get(reverse("admin:core_outboundemail_add")).status_code == 403
    delete = reverse("admin:core_outboundemail_delete", args=[failed_email.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.subject == "Your invitation"


def test_the_retry_action_queues_failed_emails_again_and_they_are_sent(
    failed_email, sent_email, cast, client, django_capture_on_commit_callbacks
):
    client.force_login(cast.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "retry", "_selected_action": [failed_email.pk, sent_email.pk]},
            follow=True,
        )
    body = response.content.decode()
    assert "1 email queued again." in body
    assert "1 email was not failed and was left as it is." in body
    failed_email.refresh_from_db()
    assert failed_email.status == Status.SENT and failed_email.attempts == 1
    assert [m.to for m in mail.outbox] == [["gone@northwind.test"]]
    entry = LogEntry.objects.get(object_id=str(failed_email.pk))
    assert entry.user == cast.staff
    (event,) = AuditEvent.objects.filter(action="email.requeued")
    assert event.actor == cast.staff and event.target_id == str(failed_email.pk)
    assert event.data["to"] == ["gone@northwind.test"]


def test_auditors_see_the_outbox_but_get_no_retry(failed_email, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert "gone@northwind.test" in response.content.decode()
    assert 'value="retry"' not in response.content.decode()
    response = client.post(
        reverse(CHANGELIST), {"action": "retry", "_selected_action": [failed_email.pk]}
    )
    assert response.status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.status == Status.FAILED
