"""Background tasks run by the database worker (`manage.py db_worker`)."""

from django_tasks import task

from . import outbox


@task()
def send_outbound_email(email_id: int) -> str:
    """Deliver one outbox row (see apps.core.outbox.deliver for locking and retries)."""
    return outbox.deliver(email_id=email_id)
