"""The transactional email outbox.

`enqueue()` stores a rendered message as an `OutboundEmail` row and queues the task that
delivers it, both in the transaction of the change that causes the message: a rolled-back
change sends nothing, and a committed one cannot lose its email. No request talks to SMTP;
a worker (`manage.py db_worker`) runs `apps.core.tasks.send_outbound_email`, which calls
`deliver()` here.

Delivery guarantees
-------------------
- `deliver()` locks the row (`SELECT … FOR UPDATE SKIP LOCKED`) and sends only while it is
  still queued, inside that lock: two workers, a stale task or a sweeper's extra task never
  send the same row twice. The one duplicate window: the SMTP server accepted the message
  and the process died before the row's "sent" commit; the row is still queued and will be
  sent again (at-least-once, never silently lost).
- A temporary failure (connection refused or reset, timeout, DNS, any 4xx reply) is retried
  with exponential backoff (OUTBOX_RETRY_BASE_SECONDS doubled per attempt, capped at
  OUTBOX_RETRY_MAX_SECONDS) by queueing the task again with `run_after`, in the same
  transaction as the row's update. After OUTBOX_MAX_ATTEMPTS attempts, or on a permanent
  failure (a 5xx reply such as 550, a message the backend cannot build), the row is failed
  with its error; an operator can retry it from the admin (`requeue()`).
- Rows left queued with no task (a task lost, or a worker killed mid-task) are picked up by
  `manage.py outbox_requeue` (`requeue_overdue()`), meant for cron every few minutes.

Signals (apps connect receivers; core imports none of them), sent after the row's commit
with `send_robust`, each with `email`, `purpose` and `ref`:
`email_sent`; `email_deferred` (a temporary failure, another attempt is scheduled; also
`error`); `email_failed` (final; also `error`); `email_requeued` (an operator's retry; also
`by`, for the audit log).

With OUTBOX_DELIVER_ON_COMMIT (tests, and optionally local development without a worker)
`enqueue()` also delivers the row in-process right after commit; the row and its task stay
the guarantee, and the lock makes the worker skip a row already sent.
"""

import logging
import smtplib
from datetime import timedelta
from functools import partial

import django.dispatch
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

email_sent = django.dispatch.Signal()
email_deferred = django.dispatch.Signal()
email_failed = django.dispatch.Signal()
email_requeued = django.dispatch.Signal()

ERROR_MAX_LENGTH = 1000
REPLACED_ERROR = "Replaced by a newer copy before it was sent."


class PermanentDeliveryError(Exception):
    """The message cannot be delivered as it is; retrying will not help."""


# ------------------------------------------------------------------------------
# Writing to the outbox
# ------------------------------------------------------------------------------
def enqueue(
    message: EmailMultiAlternatives | EmailMessage,
    *,
    purpose: str = "",
    ref: str = "",
    replace_queued: bool = False,
) -> OutboundEmail:
    """Store `message` for delivery and queue its task. Must run inside the transaction of the
    change the message is about (raises RuntimeError outside `transaction.atomic()`).

    `replace_queued` (needs `purpose` and `ref`): messages with the same purpose and ref still
    waiting for an attempt are failed as replaced (no signal), so a "send again" does not
    deliver twice. One a worker is sending at this moment is left to finish.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("outbox.enqueue must be called inside transaction.atomic()")
    if message.attachments:
        raise ValueError("The outbox does not store attachments.")
    if replace_queued:
        if not (purpose and ref):
            raise ValueError("replace_queued needs a purpose and a ref.")
        waiting = OutboundEmail.objects.select_for_update(skip_locked=True).filter(
            purpose=purpose, ref=str(ref), status=OutboundEmail.Status.QUEUED
        )
        OutboundEmail.objects.filter(pk__in=list(waiting.values_list("pk", flat=True))).update(
            status=OutboundEmail.Status.FAILED, last_error=REPLACED_ERROR
        )
    html_bodies = [
        content
        for content, mimetype in getattr(message, "alternatives", [])
        if mimetype == "text/html"
    ]
    text_body, html_body = message.body, (html_bodies[0] if html_bodies else "")
    if message.content_subtype == "html":
        text_body, html_body = "", message.body
    email = OutboundEmail.objects.create(
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=dict(message.extra_headers),
        subject=message.subject,
        text_body=text_body,
        html_body=html_body,
        purpose=purpose,
        ref=str(ref),
    )
    _schedule(email)
    if settings.OUTBOX_DELIVER_ON_COMMIT:
        transaction.on_commit(partial(_deliver_after_commit, email_id=email.pk))
    return email


def requeue(*, email: OutboundEmail, by=None) -> OutboundEmail:
    """Queue a failed message again (an operator's retry): a fresh run of attempts."""
    with transaction.atomic():
        locked = OutboundEmail.objects.select_for_update().get(pk=email.pk)
        if locked.status != OutboundEmail.Status.FAILED:
            return locked
        locked.status = OutboundEmail.Status.QUEUED
        locked.attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "attempts", "next_attempt_at"])
        _schedule(locked)
        if settings.OUTBOX_DELIVER_ON_COMMIT:
            transaction.on_commit(partial(_deliver_after_commit, email_id=locked.pk))
    _notify(email_requeued, locked, by=by)
    return locked


def requeue_overdue(*, older_than: timedelta | None = None) -> int:
    """Queue a task again for every queued row overdue by `older_than` (default
    OUTBOX_REQUEUE_AFTER_SECONDS) that has no task waiting to run. Returns how many."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from .tasks import send_outbound_email

    if older_than is None:
        older_than = timedelta(seconds=settings.OUTBOX_REQUEUE_AFTER_SECONDS)
    cutoff = timezone.now() - older_than
    overdue = set(
        OutboundEmail.objects.filter(
            status=OutboundEmail.Status.QUEUED, next_attempt_at__lt=cutoff
        ).values_list("pk", flat=True)
    )
    if not overdue:
        return 0
    # A task still waiting (workers down, or run_after not reached) will come; a running one
    # for a row overdue this long belongs to a worker that died, and its lock died with it.
    waiting = set(
        DBTaskResult.objects.filter(
            status=TaskResultStatus.READY, task_path=send_outbound_email.module_path
        ).values_list("args_kwargs__kwargs__email_id", flat=True)
    )
    requeued = 0
    for email_id in sorted(overdue - waiting):
        with transaction.atomic():
            email = (
                OutboundEmail.objects.select_for_update(skip_locked=True)
                .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
                .first()
            )
            if email is None:
                continue
            _schedule(email)
            requeued += 1
    return requeued


def _schedule(email: OutboundEmail, *, run_after=None) -> None:
    # tasks.py imports this module (the task calls deliver()), so import it when needed
    from .tasks import send_outbound_email

    task = (
        send_outbound_email if run_after is None else send_outbound_email.using(run_after=run_after)
    )
    task.enqueue(email_id=email.pk)


# ------------------------------------------------------------------------------
# Delivering
# ------------------------------------------------------------------------------
def deliver(*, email_id: int) -> str:
    """Try to send one queued message now; returns what happened ("sent", "deferred",
    "failed", or "skipped" when the row is gone, done, locked by another worker or not yet
    due). Never raises for a mail problem: the outcome is recorded on the row."""
    now = timezone.now()
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
            .first()
        )
        # A task queued before a retry was rescheduled (e.g. by the sweeper) waits its turn.
        if email is None or email.next_attempt_at > now + timedelta(seconds=1):
            return "skipped"
        email.attempts += 1
        try:
            _send(email)
        except Exception as exc:  # every backend error: SMTP, DNS, timeouts, bad headers
            error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH]
            email.last_error = error
            if is_temporary(exc) and email.attempts < settings.OUTBOX_MAX_ATTEMPTS:
                email.next_attempt_at = now + retry_delay(email.attempts)
                _schedule(email, run_after=email.next_attempt_at)
                outcome, signal = "deferred", email_deferred
            else:
                email.status = OutboundEmail.Status.FAILED
                outcome, signal = "failed", email_failed
            logger.warning("outbound email %s: %s (%s)", email.pk, outcome, error)
            email.save(update_fields=["attempts", "last_error", "next_attempt_at", "status"])
        else:
            email.status = OutboundEmail.Status.SENT
            email.sent_at = timezone.now()
            email.last_error = ""
            email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
            outcome, signal = "sent", email_sent
    extra = {"error": email.last_error} if signal is not email_sent else {}
    _notify(signal, email, **extra)
    return outcome


def _deliver_after_commit(*, email_id: int) -> None:
    # The request that queued the message has committed: nothing here may turn it into an
    # error page. The row is still queued and its task still waits for a worker.
    try:
        deliver(email_id=email_id)
    except Exception:
        logger.exception("outbound email %s: in-process delivery failed", email_id)


def retry_delay(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: base, 2×base, 4×base … capped."""
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def is_temporary(exc: BaseException) -> bool:
    """Whether trying again later may succeed: no connection, a timeout, or a 4xx reply."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return any(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPConnectError | smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, smtplib.SMTPException):  # e.g. STARTTLS not offered: configuration
        return False
    return isinstance(exc, OSError)  # refused, reset, timeout, DNS, TLS


def _send(email: OutboundEmail) -> None:
    backend = get_connection(fail_silently=False, timeout=settings.OUTBOX_SEND_TIMEOUT)
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text_body,
        from_email=email.from_email,
        to=email.to,
        cc=email.cc,
        bcc=email.bcc,
        reply_to=email.reply_to,
        headers=email.headers,
        connection=backend,
    )
    if email.html_body:
        if email.text_body:
            message.attach_alternative(email.html_body, "text/html")
        else:
            message.body, message.content_subtype = email.html_body, "html"
    if not message.send(fail_silently=False):
        raise PermanentDeliveryError("The mail backend accepted no recipient.")


def _notify(signal: django.dispatch.Signal, email: OutboundEmail, **kwargs) -> None:
    for receiver, result in signal.send_robust(
        sender=OutboundEmail, email=email, purpose=email.purpose, ref=email.ref, **kwargs
    ):
        if isinstance(result, Exception):
            logger.error(
                "outbound email %s: receiver %r failed",
                email.pk,
                receiver,
                exc_info=(type(result), result, result.__traceback__),
            )
