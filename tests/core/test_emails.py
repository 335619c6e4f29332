"""The one email sender: rendered now, per language, sent after commit, failures contained."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import translation

from apps.core import emails
from apps.core.models import OutboundEmail
from tests import factories

pytestmark = pytest.mark.django_db

TEMPLATE = "partners/email/team_invitation"


def context(partner):
    return {
        "partner": partner,
        "role": "Sales agent",
        "invited_by": None,
        "link": "https://portal.test/t/x/",
        "expires_at": None,
    }


class FlakyBackend:
    """Refuses the first address it is asked to send to, delivers the rest to mail.outbox."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        for message in messages:
            if "down@example.test" in message.to:
                raise ConnectionRefusedError("mail server is down")
            mail.outbox.append(message)
        return len(messages)


def test_it_renders_now_and_sends_after_commit(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        (message,) = emails.send_email(
            template=TEMPLATE, to="New@Example.test", context=context(cast.provider)
        )
        assert mail.outbox == []
    assert message.to == ["new@example.test"]
    assert cast.provider.name in message.subject
    for callback in callbacks:
        callback()
    assert [(m.to, m.subject) for m in mail.outbox] == [(message.to, message.subject)]


def test_a_rolled_back_change_sends_nothing(cast, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        emails.send_email(template=TEMPLATE, to="a@example.test", context=context(cast.provider))
        raise RuntimeError("the change fails")
    assert mail.outbox == []


def test_each_language_gets_its_own_message(cast, django_capture_on_commit_callbacks):
    factories.make_user("it@example.test", language="it")
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        emails.send_email(
            template=TEMPLATE,
            to=["it@example.test", "en@example.test", "IT@example.test"],
            context=context(cast.provider),
        )
    assert sorted(m.to for m in mail.outbox) == [["en@example.test"], ["it@example.test"]]
    italian = next(m for m in mail.outbox if m.to == ["it@example.test"])
    with translation.override("it"):
        assert italian.subject == " ".join(
            emails.render_email(
                template=TEMPLATE, to=[], context=context(cast.provider)
            ).subject.split()
        )


def test_one_failed_message_skips_no_other_and_raises_nothing(
    cast, settings, django_capture_on_commit_callbacks
):
    """Each language group is its own outbox row: one refused does not stop the other, and
    the refusal stays in the outbox (retried by the worker), never in the caller."""
    settings.EMAIL_BACKEND = "tests.core.test_emails.FlakyBackend"
    factories.make_user("down@example.test", language="it")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.send_email(
            template=TEMPLATE,
            to=["down@example.test", "up@example.test"],
            context=context(cast.provider),
            purpose="tests.notice",
            ref="42",
        )
    rows = {tuple(row.to): row for row in OutboundEmail.objects.filter(purpose="tests.notice")}
    assert rows[("up@example.test",)].status == OutboundEmail.Status.SENT
    down = rows[("down@example.test",)]
    assert down.status == OutboundEmail.Status.QUEUED  # a retry is scheduled
    assert "mail server is down" in down.last_error
    assert down.ref == "42"
    assert [m.to for m in mail.outbox] == [["up@example.test"]]


def test_the_recipients_time_zone_and_a_forced_language(cast):
    factories.make_user("rome@example.test", language="zh-hans", time_zone="Europe/Rome")
    locale = emails.locale_for("ROME@example.test")
    assert locale == emails.EmailLocale(language="zh-hans", time_zone="Europe/Rome")
    assert emails.locale_for("nobody@example.test", fallback_language="it").language == "it"
    assert emails.locale_for("nobody@example.test", fallback_language="xx").time_zone
