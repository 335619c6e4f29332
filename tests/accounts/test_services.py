"""user_set_password: the password changes and the audit log says so, without the secret."""

import pytest
from django.core.exceptions import ValidationError

from apps.accounts.services import user_set_password
from apps.audit.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Secret-2026"


def test_it_sets_the_password_and_records_the_change(user):
    user_set_password(user=user, password=NEW_PASSWORD)
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get()
    assert event.action == "account.password_changed"
    assert event.actor_id == user.pk
    assert (event.target_type, event.target_id) == ("accounts.user", str(user.pk))
    assert NEW_PASSWORD not in str(event.data)


def test_a_reset_is_recorded_as_such(user):
    user_set_password(user=user, password=NEW_PASSWORD, via_reset=True)
    assert AuditEvent.objects.get().action == "account.password_reset"


@pytest.mark.parametrize("weak", ["12345678", "short", "someone@example.test"])
def test_it_refuses_a_weak_password_and_changes_nothing(user, weak):
    with pytest.raises(ValidationError):
        user_set_password(user=user, password=weak)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEvent.objects.exists()
