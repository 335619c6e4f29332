"""Background tasks of the API app, run by the database worker (`manage.py db_worker`)."""

from django_tasks import task


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Send one webhook delivery (see apps.api.webhooks.deliver for locking and retries)."""
    from .webhooks import deliver

    return deliver(delivery_id=delivery_id)
