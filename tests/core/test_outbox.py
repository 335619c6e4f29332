"""The email outbox: rows written in the change's transaction, delivered by the worker with
retries, against a real (fake) SMTP server."""

import smtplib
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from apps.core import outbox
from apps.core.models import OutboundEmail
from apps.core.outbox import deliver, enqueue, requeue, requeue_overdue, retry_delay

from .conftest import make_message, run_worker, travel

Status = OutboundEmail.Status


def tasks_for(email):
    return DBTaskResult.objects.filter(args_kwargs__kwargs__email_id=email.pk)


class Recorder:
    """Connects to an outbox signal for one test and keeps what it was sent."""

    def __init__(self, signal):
        self.signal, self.calls = signal, []

    def __call__(self, sender, **kwargs):
        self.calls.append(kwargs)

    def __enter__(self):
        self.signal.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        self.signal.disconnect(self)


# ------------------------------------------------------------------------------
# enqueue
# ------------------------------------------------------------------------------
def test_it_stores_the_rendered_message_and_queues_its_task(db):
    message = make_message(cc=["cc@northwind.test"], reply_to=["sales@contoso.test"])
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    with transaction.atomic():
        email = enqueue(message, purpose="tests.hello", ref="42")
    email.refresh_from_db()
    assert email.status == Status.QUEUED and email.attempts == 0
    assert email.to == ["a@northwind.test"] and email.cc == ["cc@northwind.test"]
    assert email.reply_to == ["sales@contoso.test"]
    assert email.from_email == "Portal <noreply@portal.test>"
    assert (email.subject, email.text_body) == ("Hello", "Plain text")
    assert email.html_body == "<p>HTML</p>"
    assert email.headers == {"Auto-Submitted": "auto-generated"}
    assert (email.purpose, email.ref) == ("tests.hello", "42")
    (task,) = tasks_for(email)
    assert task.task_path == "apps.core.tasks.send_outbound_email"


def test_an_html_only_message_is_sent_as_html(db, django_capture_on_commit_callbacks):
    message = EmailMessage("Hi", "<p>Only HTML</p>", "noreply@portal.test", ["a@northwind.test"])
    message.content_subtype = "html"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = enqueue(message)
    email.refresh_from_db()
    assert (email.text_body, email.html_body) == ("", "<p>Only HTML</p>")
    (sent,) = mail.outbox
    assert sent.content_subtype == "html" and sent.body == "<p>Only HTML</p>"


def test_a_rolled_back_change_queues_and_sends_nothing(db, django_capture_on_commit_callbacks):
    class ChangeFailed(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ChangeFailed),
        transaction.atomic(),
    ):
        enqueue(make_message())
        raise ChangeFailed  # the change fails after its email was queued
    assert not OutboundEmail.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_run_outside_a_transaction():
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        enqueue(make_message())
    assert not OutboundEmail.objects.exists()


def test_it_refuses_attachments_it_cannot_store(db):
    message = make_message()
    message.attach("report.csv", "a,b", "text/csv")
    with transaction.atomic(), pytest.raises(ValueError):
        enqueue(message)


def test_in_tests_the_message_is_delivered_in_process_after_commit(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        email = enqueue(make_message())
    email.refresh_from_db()
    assert email.status == Status.SENT and email.sent_at is not None
    (sent,) = mail.outbox
    assert sent.to == ["a@northwind.test"] and sent.alternatives[0][0] == "<p>HTML</p>"
    # the worker finds the task later and leaves the row alone
    assert deliver(email_id=email.pk) == "skipped"
    assert len(mail.outbox) == 1


# ------------------------------------------------------------------------------
# Delivery by the worker, through a real SMTP conversation
# ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_committed_email_survives_an_outage_and_is_delivered_once(smtp, settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    with transaction.atomic():
        email = enqueue(make_message(), purpose="tests.outage", ref="1")

    # 1. nothing listens: connection refused
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 1)
    assert "ConnectionRefusedError" in email.last_error
    first_retry = email.next_attempt_at
    assert tasks_for(email).filter(run_after=first_retry, status="READY").exists()
    run_worker()  # not due yet: nothing happens
    email.refresh_from_db()
    assert email.attempts == 1

    # 2. the server is up but busy: 451
    smtp.start()
    smtp.state.busy = True
    with travel(61) as now:
        run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 2)
    assert "451" in email.last_error
    assert email.next_attempt_at == now + timedelta(seconds=120)  # backoff doubles

    # 3. the server accepts the connection and never answers: a timeout
    smtp.state.busy, smtp.state.hang = False, True
    with travel(61 + 121) as now:
        run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.QUEUED, 3)
    assert "timed out" in email.last_error
    assert email.next_attempt_at == now + timedelta(seconds=240)

    # 4. the server is back: delivered, once
    smtp.state.hang = False
    with Recorder(outbox.email_sent) as sent:
        with travel(61 + 121 + 241):
            run_worker()
        with travel(10_000):
            run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (Status.SENT, 4, "")
    assert email.sent_at is not None
    (received,) = smtp.received
    assert received.rcpt_to == ["a@northwind.test"] and "Subject: Hello" in received.data
    assert [(c["purpose"], c["ref"]) for c in sent.calls] == [("tests.outage", "1")]
    assert not tasks_for(email).filter(status="READY").exists()


@pytest.mark.django_db(transaction=True)
def test_a_rejected_address_fails_at_once_and_an_operator_retry_delivers_it(smtp):
    smtp.start()
    smtp.state.rejected = {"gone@northwind.test"}
    with transaction.atomic():
        email = enqueue(make_message("gone@northwind.test"), purpose="tests.reject", ref="7")
    with Recorder(outbox.email_failed) as failed:
        run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 1)
    assert "550" in email.last_error
    assert failed.calls[0]["ref"] == "7" and "550" in failed.calls[0]["error"]
    assert not tasks_for(email).filter(status="READY").exists()  # no retry scheduled

    smtp.state.rejected = set()
    with Recorder(outbox.email_requeued) as requeued:
        requeue(email=email, by="operator")
    assert requeued.calls[0]["by"] == "operator"
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.SENT, 1)
    assert len(smtp.received) == 1


def test_after_the_last_attempt_the_email_is_failed(db, smtp, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with transaction.atomic():
        email = enqueue(make_message())
    assert deliver(email_id=email.pk) == "deferred"
    with travel(3600), Recorder(outbox.email_failed) as failed:
        assert deliver(email_id=email.pk) == "failed"
    email.refresh_from_db()
    assert (email.status, email.attempts) == (Status.FAILED, 2)
    assert "ConnectionRefusedError" in email.last_error
    assert len(failed.calls) == 1


def test_a_row_another_worker_holds_is_skipped(transactional_db, settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = False
    with transaction.atomic():
        email = enqueue(make_message())
    locked, release = threading.Event(), threading.Event()

    def other_worker():
        with transaction.atomic():
            OutboundEmail.objects.select_for_update().get(pk=email.pk)
            locked.set()
            release.wait(10)
        connection.close()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert locked.wait(10)
        assert deliver(email_id=email.pk) == "skipped"
    finally:
        release.set()
        thread.join()
    email.refresh_from_db()
    assert email.attempts == 0


# ------------------------------------------------------------------------------
# Retry policy
# ------------------------------------------------------------------------------
def test_waits_double_from_the_base_up_to_the_cap(settings):
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    waits = [retry_delay(n).total_seconds() for n in range(1, 9)]
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600]


@pytest.mark.parametrize(
    ("exc", "temporary"),
    [
        (ConnectionRefusedError("refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("gone"), True),
        (smtplib.SMTPConnectError(554, b"no service"), True),
        (smtplib.SMTPSenderRefused(451, b"busy", "a@b.test"), True),
        (smtplib.SMTPDataError(452, b"full"), True),
        (smtplib.SMTPRecipientsRefused({"a@b.test": (450, b"greylisted")}), True),
        (smtplib.SMTPRecipientsRefused({"a@b.test": (550, b"no such user")}), False),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPAuthenticationError(535, b"bad credentials"), False),
        (smtplib.SMTPNotSupportedError("no STARTTLS"), False),
        (ValueError("bad header"), False),
    ],
)
def test_temporary_and_permanent_errors(exc, temporary):
    assert outbox.is_temporary(exc) is temporary


# ------------------------------------------------------------------------------
# Sweeping rows whose task was lost
# ------------------------------------------------------------------------------
def test_an_overdue_row_without_a_task_is_queued_again(db, settings):
    settings.OUTBOX_DELIVER_ON_COMMIT = False
    with transaction.atomic():
        lost = enqueue(make_message("lost@northwind.test"))
        waiting = enqueue(make_message("waiting@northwind.test"))
    tasks_for(lost).delete()
    assert requeue_overdue() == 0  # not overdue yet
    with travel(16 * 60):
        assert requeue_overdue() == 1
        assert requeue_overdue() == 0  # its new task now waits
    assert tasks_for(lost).count() == 1 and tasks_for(waiting).count() == 1


def test_the_requeue_command_reports_how_many(db, settings, capsys):
    settings.OUTBOX_DELIVER_ON_COMMIT = False
    with transaction.atomic():
        lost = enqueue(make_message())
    tasks_for(lost).delete()
    with travel(60):
        call_command("outbox_requeue", "--older-than", "30")
    assert "1" in capsys.readouterr().out
    assert tasks_for(lost).count() == 1
