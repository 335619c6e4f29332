from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.notifications.models import Notification, NotificationPreference
from apps.notifications.services import notify
from tests import factories


def make(user, n=1, **extra):
    extra.setdefault("params", {"customer": "Northwind Traders", "service": "Office 365"})
    return [
        Notification.objects.create(user=user, kind="grant.received", **extra) for _ in range(n)
    ]


@pytest.fixture
def owner(cast):
    return cast.reseller_admin


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


# ------------------------------------------------------------------------------
# The list
# ------------------------------------------------------------------------------
def test_it_lists_the_users_own_notifications_unread_first(owner_client, owner, cast):
    [read] = make(owner, read_at=timezone.now())
    read.params = {"customer": "Read Corp", "service": "Azure"}
    read.save()
    make(owner)
    make(cast.provider_admin, params={"customer": "Someone Else", "service": "Azure"})
    page = owner_client.get(reverse("notifications:list")).content.decode()
    assert page.index("Northwind Traders gave you") < page.index("Read Corp gave you")
    assert "Someone Else" not in page
    assert "Unread" in page


def test_it_hides_notifications_older_than_90_days(owner_client, owner):
    make(owner, created_at=timezone.now() - timedelta(days=91))
    page = owner_client.get(reverse("notifications:list")).content.decode()
    assert "Northwind Traders" not in page
    assert "You have no notifications." in page


def test_it_paginates(owner_client, owner, settings):
    settings.PORTAL_PAGE_SIZE = 2
    make(owner, 3)
    page = owner_client.get(reverse("notifications:list")).content.decode()
    assert "Page 1 of 2" in page
    assert "?page=2" in page


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_costs_the_same_queries_at_any_size(
    owner_client, owner, size, django_assert_max_num_queries
):
    make(owner, size)
    # session, user, memberships of the menu, count + page, the bell's count
    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("notifications:list"))
    assert response.status_code == 200


def test_mark_all_as_read_marks_only_the_users_own(owner_client, owner, cast):
    make(owner, 2)
    [other] = make(cast.provider_admin)
    response = owner_client.post(reverse("notifications:mark_all_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(user=owner, read_at__isnull=True).exists()
    other.refresh_from_db()
    assert other.read_at is None


# ------------------------------------------------------------------------------
# Opening one
# ------------------------------------------------------------------------------
def test_opening_marks_it_read_and_follows_its_link(owner_client, owner):
    [notification] = make(owner, url="/c/somewhere/")
    response = owner_client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/c/somewhere/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_leaves_the_portal(owner_client, owner):
    [notification] = make(owner, url="https://evil.example/")
    response = owner_client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_opening_someone_elses_is_404_and_changes_nothing(client, owner, cast):
    [notification] = make(owner, url="/c/somewhere/")
    client.force_login(cast.provider_admin)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


# ------------------------------------------------------------------------------
# The bell
# ------------------------------------------------------------------------------
def test_the_bell_counts_the_unread_ones_for_screen_readers(owner_client, owner):
    make(owner, 3)
    make(owner, read_at=timezone.now())
    make(owner, created_at=timezone.now() - timedelta(days=100))
    page = owner_client.get(reverse("accounts:profile")).content.decode()
    assert "Notifications, 3 unread" in page
    assert reverse("notifications:list") in page
    assert reverse("notifications:settings") in page  # the profile links to the settings


def test_the_bell_is_one_query(owner, rf):
    from apps.notifications.context_processors import notifications

    make(owner, 2)
    request = rf.get("/")
    request.user = owner
    bell = notifications(request)["notification_bell"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert bell.unread == 2
        assert bell.unread == 2
    assert len(queries) == 1


# ------------------------------------------------------------------------------
# Settings: the opt-out stops the email, never the in-portal record
# ------------------------------------------------------------------------------
def send(kind, user, django_capture_on_commit_callbacks, context):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify(kind=kind, users=[user], context=context)


def invitation_context(cast):
    from apps.invitations.models import Invitation

    invitation = Invitation.objects.create(
        provider=cast.provider, reseller=cast.reseller, expires_at=timezone.now()
    )
    return {"invitation": invitation, "provider": cast.provider, "reseller": cast.reseller}


def test_the_settings_page_shows_optional_kinds_and_essential_ones_as_always_on(owner_client):
    page = owner_client.get(reverse("notifications:settings")).content.decode()
    assert 'value="invitation.issued"' in page
    assert 'value="grant.removed"' not in page
    assert "Delegated admin removed" in page  # listed among the ones always emailed


def test_turning_an_optional_kind_off_stops_the_email_not_the_notification(
    owner_client, owner, cast, django_capture_on_commit_callbacks
):
    response = owner_client.post(reverse("notifications:settings"), {"email": []})
    assert response.status_code == 302
    assert (
        NotificationPreference.objects.get(user=owner, kind="invitation.issued").email_enabled
        is False
    )
    send("invitation.issued", owner, django_capture_on_commit_callbacks, invitation_context(cast))
    assert mail.outbox == []
    assert Notification.objects.filter(user=owner, kind="invitation.issued").exists()
    # and back on
    owner_client.post(reverse("notifications:settings"), {"email": ["invitation.issued"]})
    send("invitation.issued", owner, django_capture_on_commit_callbacks, invitation_context(cast))
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_an_essential_kind_cannot_be_turned_off_even_by_a_hand_made_post(
    owner_client, owner, cast, django_capture_on_commit_callbacks
):
    response = owner_client.post(
        reverse("notifications:settings"), {"email": ["invitation.issued", "grant.removed"]}
    )
    assert response.status_code == 200  # the form refuses a choice it does not offer
    assert not NotificationPreference.objects.filter(kind="grant.removed").exists()
    # even a stored opt-out of an essential kind is ignored
    NotificationPreference.objects.create(user=owner, kind="partnership.ended", email_enabled=False)
    from apps.partners.models import ResellerPartnership

    partnership = ResellerPartnership.objects.get(provider=cast.provider, reseller=cast.reseller)
    send(
        "partnership.ended",
        owner,
        django_capture_on_commit_callbacks,
        {"partnership": partnership, "change": "ended"},
    )
    assert [m.to for m in mail.outbox] == [[owner.email]]


# ------------------------------------------------------------------------------
# The service and the pruning command
# ------------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_notify_refuses_to_run_outside_a_transaction(user):
    with pytest.raises(RuntimeError):
        notify(kind="invitation.issued", users=[user], context={})
    assert not Notification.objects.exists()


def test_notify_refuses_an_unknown_kind(owner):
    with pytest.raises(LookupError), transaction.atomic():
        notify(kind="nothing.happened", users=[owner], context={})


def test_notify_skips_inactive_users_and_the_actor(cast, django_capture_on_commit_callbacks):
    inactive = factories.make_user("gone@example.test", is_active=False)
    context = invitation_context(cast)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        created = notify(
            kind="invitation.issued",
            users=[cast.reseller_admin, cast.provider_admin, inactive],
            context=context,
            by=cast.provider_admin,
        )
    assert [n.user for n in created] == [cast.reseller_admin]
    # the actor still gets the email: it is the organization's record of the change
    assert sorted(to for m in mail.outbox for to in m.to) == [
        "admin@contoso.test",
        "admin@fabrikam.test",
    ]


def test_notifications_prune_deletes_the_old_ones(owner):
    [old] = make(owner, created_at=timezone.now() - timedelta(days=91))
    [recent] = make(owner, created_at=timezone.now() - timedelta(days=89))
    call_command("notifications_prune", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(Notification.objects.all()) == [recent]
    assert not Notification.objects.filter(pk=old.pk).exists()
