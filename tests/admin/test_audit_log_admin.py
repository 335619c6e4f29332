"""The audit log in the admin: read-only for everyone, filters, links, CSV export, paging."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.audit.services import audit_record
from apps.core.pagination import EstimatedCountPaginator
from tests.audit.builders import make_events

CHANGELIST = "admin:audit_auditevent_changelist"
EXPORT = "admin:audit_auditevent_export"


def changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def shown_ids(response) -> set[int]:
    return {event.pk for event in response.context["cl"].result_list}


def export_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def story(cast):
    """Events of three organizations: the provider, another provider and the customer."""
    return {
        "provider": make_events(
            3,
            action="invitation.created",
            actor=cast.provider_admin,
            acting_partner=cast.provider,
            partners=[cast.reseller],
            target=cast.provider,
        ),
        "other": make_events(
            2, action="partner.updated", actor=cast.outsider, acting_partner=cast.other_provider
        ),
        "customer": make_events(
            2,
            action="grant.removed",
            actor=cast.customer_admin,
            acting_customer=cast.customer,
            customer=cast.customer,
            partners=[cast.reseller],
            start=timezone.now() - timedelta(days=400),
        ),
    }


def ids(events) -> set[int]:
    return {e.pk for e in events}


# ------------------------------------------------------------------------------
# Read-only for everyone
# ------------------------------------------------------------------------------


def test_not_even_a_superuser_can_add_change_or_delete_an_event(story, cast, client):
    client.force_login(cast.staff)
    event = story["provider"][0]
    assert client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_add"), {}).status_code == 403
    assert client.post(
        reverse("admin:audit_auditevent_change", args=[event.pk]), {"action": "x"}
    ).status_code in (302, 403)
    assert (
        client.post(
            reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.action == "invitation.created"
    response = changelist(client)
    assert response.context["cl"].model_admin.get_actions(response.wsgi_request) == {}


def test_an_event_page_shows_everything_with_links(story, cast, client):
    client.force_login(cast.staff)
    event = story["provider"][0]
    response = client.get(reverse("admin:audit_auditevent_change", args=[event.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:partners_partner_change", args=[cast.provider.pk]) in html
    assert reverse("admin:partners_partner_change", args=[cast.reseller.pk]) in html
    assert reverse("admin:accounts_user_change", args=[cast.provider_admin.pk]) in html
    assert event.request_id in html


# ------------------------------------------------------------------------------
# Links to targets, partners and customers
# ------------------------------------------------------------------------------


def test_each_row_links_to_its_target_partners_and_customer(cast, client):
    client.force_login(cast.staff)
    with transaction.atomic():
        audit_record(
            action="customer.changed",
            actor=cast.staff,
            target=cast.customer,
            customer=cast.customer,
            partners=[cast.provider],
        )
    html = changelist(client).content.decode()
    customer_url = reverse("admin:customers_customer_change", args=[cast.customer.pk])
    assert html.count(customer_url) >= 2  # as target and as customer concerned
    assert reverse("admin:partners_partner_change", args=[cast.provider.pk]) in html


def test_a_target_whose_model_is_not_in_the_admin_is_plain_text(cast, client):
    client.force_login(cast.staff)
    make_events(1, action="account.signed_out")
    AuditEvent.objects.update  # noqa: B018 - the log is append-only; build the row directly
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="x.y", target_type="sessions.session", target_id="abc", target_repr="S")]
    )
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="x.z", target_type="nonsense", target_id="1", target_repr="N")]
    )
    assert changelist(client).status_code == 200


# ------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------


def test_it_filters_by_action(story, cast, client):
    client.force_login(cast.staff)
    response = changelist(client, action="partner.updated")
    assert shown_ids(response) == ids(story["other"])
    assert "partner.updated" in response.content.decode()  # offered as a choice


def test_it_filters_by_partner_concerned_by_id_or_public_id(story, cast, client):
    client.force_login(cast.staff)
    expected = ids(story["provider"]) | ids(story["customer"])
    assert shown_ids(changelist(client, partner=cast.reseller.pk)) == expected
    response = changelist(client, partner=cast.reseller.public_id.lower())
    assert shown_ids(response) == expected
    assert cast.reseller.name in response.content.decode()


def test_it_filters_by_acting_partner(story, cast, client):
    client.force_login(cast.staff)
    response = changelist(client, acting_partner=cast.other_provider.public_id)
    assert shown_ids(response) == ids(story["other"])


def test_it_filters_by_customer(story, cast, client):
    client.force_login(cast.staff)
    assert shown_ids(changelist(client, customer=cast.customer.public_id)) == ids(story["customer"])


def test_it_filters_by_actor_email_or_id(story, cast, client):
    client.force_login(cast.staff)
    assert shown_ids(changelist(client, actor="ADMIN@litware.test")) == ids(story["other"])
    assert shown_ids(changelist(client, actor=cast.outsider.pk)) == ids(story["other"])


def test_it_finds_a_deleted_users_events_by_the_email_snapshot(cast, client):
    client.force_login(cast.staff)
    events = make_events(2, actor=cast.provider_sales, acting_partner=cast.provider)
    cast.provider_sales.delete()
    assert shown_ids(changelist(client, actor="sales@contoso.test")) == ids(events)


def test_it_filters_by_target(story, cast, client):
    client.force_login(cast.staff)
    response = changelist(client, target=f"partners.partner:{cast.provider.pk}")
    assert shown_ids(response) == ids(story["provider"])


def test_it_filters_by_request_id(story, cast, client):
    client.force_login(cast.staff)
    response = changelist(client, request="req-partner.updated-000001")
    assert shown_ids(response) == {story["other"][1].pk}
    event_page = client.get(
        reverse("admin:audit_auditevent_change", args=[story["other"][1].pk])
    ).content.decode()
    assert "?request=req-partner.updated-000001" in event_page


def test_it_filters_by_date(story, cast, client):
    client.force_login(cast.staff)
    last_year = story["customer"][0].created_at
    response = changelist(
        client,
        created_at__gte=(last_year - timedelta(days=1)).isoformat(),
        created_at__lt=(last_year + timedelta(days=1)).isoformat(),
    )
    assert shown_ids(response) == ids(story["customer"])
    local = timezone.localtime(last_year)
    response = changelist(client, created_at__year=local.year, created_at__month=local.month)
    assert shown_ids(response) == ids(story["customer"])


@pytest.mark.parametrize(
    "params",
    [
        {"partner": "P-NOPE"},
        {"partner": "999999"},
        {"customer": "nothing"},
        {"actor": "nobody@example.test"},
        {"target": "garbage"},
        {"target": "partners.partner:"},
    ],
)
def test_unknown_filter_values_show_an_empty_list_not_an_error(story, cast, client, params):
    client.force_login(cast.staff)
    response = changelist(client, **params)
    assert response.status_code == 200
    assert shown_ids(response) == set()


def test_the_date_hierarchy_offers_years_months_and_days(story, cast, client):
    client.force_login(cast.staff)
    html = changelist(client).content.decode()
    this_year = timezone.localtime().year
    assert f"created_at__year={this_year}" in html
    assert f"created_at__year={this_year - 1}" in html
    now = timezone.localtime()
    html = changelist(client, created_at__year=now.year, created_at__month=now.month).content
    assert b"created_at__day=" in html
    assert changelist(client, created_at__year="nope").status_code in (200, 302)


# ------------------------------------------------------------------------------
# CSV export
# ------------------------------------------------------------------------------


def test_the_changelist_offers_an_export_that_keeps_the_filters(story, cast, client):
    client.force_login(cast.staff)
    html = changelist(client, action="grant.removed").content.decode()
    assert f'{reverse(EXPORT)}?action=grant.removed"' in html


def test_the_export_streams_the_filtered_events(story, cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse(EXPORT), {"partner": cast.reseller.public_id})
    assert response.status_code == 200
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-events-')
    rows = export_rows(response)
    assert {int(r["Event ID"]) for r in rows} == ids(story["provider"]) | ids(story["customer"])
    provider_row = next(r for r in rows if r["Action"] == "invitation.created")
    assert provider_row["Actor email"] == "admin@contoso.test"
    assert provider_row["Acting for partner ID"] == cast.provider.public_id
    assert provider_row["Acting for partner"] == cast.provider.name
    assert set(provider_row["Partners concerned"].split()) == {
        cast.provider.public_id,
        cast.reseller.public_id,
    }
    assert provider_row["Target type"] == "partners.partner"
    # newest first, like the list
    times = [r["When"] for r in rows]
    assert times == sorted(times, reverse=True)


def test_the_export_without_filters_has_every_event(story, cast, client):
    client.force_login(cast.staff)
    rows = export_rows(client.get(reverse(EXPORT)))
    # the story's 7 events and the operator's own sign-in
    assert len(rows) == AuditEvent.objects.count() == 8
    assert [r["Action"] for r in rows].count("account.signed_in") == 1


def test_the_export_applies_the_search_box_too(story, cast, client):
    client.force_login(cast.staff)
    rows = export_rows(client.get(reverse(EXPORT), {"q": "admin@litware"}))
    assert {int(r["Event ID"]) for r in rows} == ids(story["other"])


def test_auditors_can_export(story, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse(EXPORT), {"action": "partner.updated"})
    assert response.status_code == 200
    assert len(export_rows(response)) == 2


def test_the_export_is_for_operator_staff_only(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(reverse(EXPORT))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_invalid_export_filters_redirect_to_the_list_with_an_error(story, cast, client):
    client.force_login(cast.staff)
    response = client.get(reverse(EXPORT), {"no_such_field__in": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralized(cast, client):
    client.force_login(cast.staff)
    AuditEvent.objects.bulk_create(
        [AuditEvent(action="partner.updated", target_repr='=HYPERLINK("http://x")')]
    )
    rows = export_rows(client.get(reverse(EXPORT)))
    assert rows[0]["Target"] == '\'=HYPERLINK("http://x")'


def test_the_export_reads_in_chunks_without_loading_every_row(story, cast, client, monkeypatch):
    """A million rows must not sit in memory: the rows come from .iterator(chunk_size=2000),
    or on PostgreSQL from COPY."""
    from django.db.models import QuerySet

    calls = []
    original = QuerySet.iterator

    def spy(self, chunk_size=None):
        calls.append(chunk_size)
        return original(self, chunk_size=chunk_size)

    monkeypatch.setattr(QuerySet, "iterator", spy)
    client.force_login(cast.staff)
    response = client.get(reverse(EXPORT))
    assert calls == []  # nothing read before the response starts streaming
    rows = export_rows(response)
    if connection.vendor == "postgresql":
        # PostgreSQL streams the file from COPY … TO STDOUT in blocks, with no queryset
        # iterated in Python (tests/portal/test_export_copy.py shows the bytes are the same)
        assert calls == []
        assert len(rows) == AuditEvent.objects.count()
    else:
        assert calls == [2000]


# ------------------------------------------------------------------------------
# Paging a large log
# ------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 300])
def test_the_changelist_runs_a_fixed_number_of_queries(
    count, cast, auditor, client, django_assert_max_num_queries
):
    make_events(
        count,
        actor=cast.provider_admin,
        acting_partner=cast.provider,
        partners=[cast.reseller, cast.other_provider],
        customer=cast.customer,
        target=cast.provider,
    )
    for user in (cast.staff, auditor):
        client.force_login(user)
        with django_assert_max_num_queries(12):
            response = changelist(client)
        assert response.status_code == 200
        assert len(response.context["cl"].result_list) == min(AuditEvent.objects.count(), 25)
        with django_assert_max_num_queries(14):
            assert changelist(client, partner=cast.reseller.pk, action="invitation.created")


def test_a_large_log_is_not_counted_row_by_row(cast, client, monkeypatch):
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_COUNT_LIMIT", 60)
    make_events(120, acting_partner=cast.provider)
    client.force_login(cast.staff)
    response = changelist(client)
    cl = response.context["cl"]
    assert cl.paginator.is_estimate is True
    assert cl.result_count >= 61
    assert "about" in response.content.decode()
    # An estimate may be low: no page is cut short, and a full page links to the next one
    monkeypatch.setattr("apps.core.pagination.planner_row_estimate", lambda qs: 70)
    response = changelist(client, p=4)  # past the estimate's 3 pages of 25
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 25
    assert "?p=5" in response.content.decode()
    response = changelist(client, p=5)
    assert len(response.context["cl"].result_list) == 21  # 120 events and the sign-in
    assert "?p=6" not in response.content.decode()


def test_a_small_log_is_counted_exactly(cast, client):
    make_events(7, acting_partner=cast.provider)
    client.force_login(cast.staff)
    cl = changelist(client).context["cl"]
    assert cl.result_count == 8  # and the operator's sign-in
    assert cl.paginator.is_estimate is False


# ------------------------------------------------------------------------------
# From any object to its audit events
# ------------------------------------------------------------------------------


def test_change_pages_link_to_the_objects_audit_events(admin_dataset, cast, auditor, client):
    client.force_login(auditor)
    response = client.get(reverse("admin:partners_partner_change", args=[cast.provider.pk]))
    assert f"{reverse(CHANGELIST)}?partner={cast.provider.pk}" in response.content.decode()
    invitation = admin_dataset["invitation"]
    response = client.get(reverse("admin:invitations_invitation_change", args=[invitation.pk]))
    target = f"target=invitations.invitation%3A{invitation.pk}"
    assert target in response.content.decode()
    response = changelist(client, target=f"invitations.invitation:{invitation.pk}")
    assert [e.action for e in response.context["cl"].result_list] == ["invitation.created"]


# ------------------------------------------------------------------------------
# Django's own history of raw admin edits
# ------------------------------------------------------------------------------


def test_raw_admin_edits_stay_in_djangos_history_readable_by_auditors(cast, auditor, client):
    client.force_login(cast.staff)
    response = client.post(
        reverse("admin:accounts_user_change", args=[cast.provider_sales.pk]),
        {
            "email": cast.provider_sales.email,
            "display_name": "Sam Sales",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "partner_memberships-TOTAL_FORMS": "0",
            "partner_memberships-INITIAL_FORMS": "0",
            "customer_memberships-TOTAL_FORMS": "0",
            "customer_memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    client.force_login(auditor)
    response = client.get(reverse("admin:admin_logentry_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Changed Display name." in html
    assert reverse("admin:accounts_user_change", args=[cast.provider_sales.pk]) in html
