"""Activity pages: a provider, a reseller and a customer each read their own organization's
audit events, filter them, page through all of them and export them; nothing of others."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.pagination import encode_cursor
from apps.portal.selectors import ACTIVITY_ORDER
from tests.audit.builders import make_events


def partner_url(partner, name="portal:partner_activity"):
    return reverse(name, kwargs={"partner_id": partner.public_id})


def customer_url(customer, name="portal:customer_activity"):
    return reverse(name, kwargs={"customer_id": customer.public_id})


def shown(response) -> set[int]:
    return {row["event"].pk for row in response.context["rows"]}


def csv_rows(response) -> list[dict]:
    assert response.streaming is True
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def story(cast):
    """What happened around each organization of the cast."""
    with transaction.atomic():
        created = audit_record(
            action="invitation.created",
            actor=cast.provider_agent,
            acting_partner=cast.provider,
            target=cast.reseller,
            target_repr="Invitation for Fabrikam",
            partners=[cast.reseller],
        )
        accepted = audit_record(
            action="relationship.created",
            actor=cast.customer_admin,
            acting_customer=cast.customer,
            target=cast.customer,
            partners=[cast.provider, cast.reseller],
            customer=cast.customer,
            data={"services": ["azure"], "reason": "Moved to Fabrikam"},
        )
        reseller_only = audit_record(
            action="team.member_added",
            actor=cast.reseller_admin,
            acting_partner=cast.reseller,
            target=cast.reseller_admin,
        )
        other = audit_record(
            action="invitation.created",
            actor=cast.outsider,
            acting_partner=cast.other_provider,
            target=cast.other_provider,
            target_repr="Litware secret invitation",
        )
        operator = audit_record(
            action="partner.approved",
            actor=cast.staff,
            target=cast.provider,
            partners=[cast.provider],
        )
    return {
        "created": created,
        "accepted": accepted,
        "reseller_only": reseller_only,
        "other": other,
        "operator": operator,
    }


# ------------------------------------------------------------------------------
# Tenancy
# ------------------------------------------------------------------------------


def test_a_provider_sees_its_own_events_and_those_that_concern_it(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(partner_url(cast.provider))
    assert response.status_code == 200
    assert shown(response) == {story[k].pk for k in ("created", "accepted", "operator")}
    assert "Litware secret invitation" not in response.content.decode()


def test_a_reseller_sees_its_own_events_and_those_that_concern_it(story, cast, client):
    client.force_login(cast.reseller_admin)
    response = client.get(partner_url(cast.reseller))
    assert shown(response) == {story[k].pk for k in ("created", "accepted", "reseller_only")}


def test_a_customer_sees_its_own_events_only(story, cast, client):
    client.force_login(cast.customer_admin)
    response = client.get(customer_url(cast.customer))
    assert response.status_code == 200
    assert shown(response) == {story["accepted"].pk}


def test_an_event_about_a_customer_done_by_a_partner_reaches_the_customer(cast, client):
    with transaction.atomic():
        event = audit_record(
            action="grant.removed",
            actor=cast.provider_admin,
            acting_partner=cast.provider,
            customer=cast.customer,
        )
    client.force_login(cast.customer_admin)
    response = client.get(customer_url(cast.customer))
    assert shown(response) == {event.pk}
    assert response.context["rows"][0]["by"] == cast.provider.name


def test_an_outsider_gets_404_on_another_organizations_activity(story, cast, client):
    client.force_login(cast.outsider)
    assert client.get(partner_url(cast.provider)).status_code == 404
    assert (
        client.get(partner_url(cast.provider, "portal:partner_activity_export")).status_code == 404
    )
    assert client.get(customer_url(cast.customer)).status_code == 404
    export = customer_url(cast.customer, "portal:customer_activity_export")
    assert client.get(export).status_code == 404


def test_a_helpdesk_agent_gets_403(story, cast, client):
    client.force_login(cast.provider_helpdesk)
    assert client.get(partner_url(cast.provider)).status_code == 403
    assert (
        client.get(partner_url(cast.provider, "portal:partner_activity_export")).status_code == 403
    )


def test_an_unknown_organization_is_404(cast, client):
    client.force_login(cast.provider_admin)
    assert client.get(reverse("portal:partner_activity", args=["PNOPE"])).status_code == 404
    client.force_login(cast.customer_admin)
    assert client.get(reverse("portal:customer_activity", args=["CNOPE"])).status_code == 404


# ------------------------------------------------------------------------------
# Who did it, as the organization may see it
# ------------------------------------------------------------------------------


def test_own_staff_appear_by_email_and_others_by_organization(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(partner_url(cast.provider))
    by = {row["event"].pk: row["by"] for row in response.context["rows"]}
    assert by[story["created"].pk] == "agent@contoso.test"
    assert by[story["accepted"].pk] == cast.customer.name  # not the customer admin's email
    assert by[story["operator"].pk] == "Operator"
    html = response.content.decode()
    assert "admin@northwind.test" not in html
    assert "Moved to Fabrikam" in html  # the event's details


def test_the_ip_address_is_not_shown_to_organizations(cast, client):
    from apps.audit.context import RequestContext, reset_request_context, set_request_context

    token = set_request_context(
        RequestContext(request_id="req-12345678", ip_address="198.51.100.7")
    )
    try:
        with transaction.atomic():
            audit_record(
                action="customer.changed",
                acting_customer=cast.customer,
                actor=cast.customer_admin,
                customer=cast.customer,
            )
    finally:
        reset_request_context(token)
    client.force_login(cast.customer_admin)
    response = client.get(customer_url(cast.customer))
    assert "198.51.100.7" not in response.content.decode()
    export = client.get(customer_url(cast.customer, "portal:customer_activity_export"))
    text = b"".join(export.streaming_content).decode()
    assert "198.51.100.7" not in text
    assert "req-12345678" in text


# ------------------------------------------------------------------------------
# Filters
# ------------------------------------------------------------------------------


def test_it_filters_by_action(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(partner_url(cast.provider), {"action": "relationship.created"})
    assert shown(response) == {story["accepted"].pk}


def test_it_filters_by_date(cast, client):
    now = timezone.now()
    old = make_events(2, acting_partner=cast.provider, start=now - timedelta(days=10))
    make_events(3, acting_partner=cast.provider, start=now)
    day = timezone.localtime(old[0].created_at).date()
    client.force_login(cast.provider_admin)
    response = client.get(
        partner_url(cast.provider), {"date_from": day.isoformat(), "date_to": day.isoformat()}
    )
    assert shown(response) == {e.pk for e in old}
    response = client.get(
        partner_url(cast.provider), {"date_from": (day + timedelta(days=1)).isoformat()}
    )
    assert len(shown(response)) == 3


@pytest.mark.parametrize(
    "params",
    [
        {"action": "no.such_action"},
        {"date_from": "yesterday"},
        {"date_from": "2026-02-30"},
        {"date_from": "2026-05-02", "date_to": "2026-05-01"},
        {"page": "-3"},
        {"page": "lots"},
        {"page": "99999999"},
    ],
)
def test_bad_filters_never_give_an_error_page(story, cast, client, params):
    client.force_login(cast.provider_admin)
    response = client.get(partner_url(cast.provider), params)
    assert response.status_code == 200
    export = client.get(partner_url(cast.provider, "portal:partner_activity_export"), params)
    assert export.status_code == 200


def test_invalid_filters_are_explained(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(
        partner_url(cast.provider), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert "The start date must not be after the end date." in response.content.decode()


# ------------------------------------------------------------------------------
# Paging: no cap, never counted
# ------------------------------------------------------------------------------


def test_every_event_can_be_reached_page_by_page(cast, client):
    size = settings.PORTAL_PAGE_SIZE
    events = make_events(2 * size + 3, acting_partner=cast.provider)
    client.force_login(cast.provider_admin)
    seen, pages, params = [], 0, {}
    while True:
        response = client.get(partner_url(cast.provider), params)
        pages += 1
        seen.extend(row["event"].pk for row in response.context["rows"])
        page = response.context["page"]
        if not page.has_next:
            break
        params = {"after": page.next_cursor}
    assert pages == 3
    assert seen == [e.pk for e in events]  # newest first, none twice, none missing
    second = client.get(partner_url(cast.provider), {"after": events[size - 1].pk})
    assert second.context["page"].is_first  # a bare id is not a cursor: the newest page
    html = client.get(partner_url(cast.provider), params).content.decode()
    assert f"before={page.previous_cursor}" in html and "before=end" not in html


def test_paging_keeps_the_filters(cast, client):
    make_events(settings.PORTAL_PAGE_SIZE + 1, acting_partner=cast.provider, action="team.invited")
    client.force_login(cast.provider_admin)
    html = client.get(partner_url(cast.provider), {"action": "team.invited"}).content.decode()
    cursor = (
        client.get(partner_url(cast.provider), {"action": "team.invited"})
        .context["page"]
        .next_cursor
    )
    assert f"action=team.invited&amp;after={cursor}" in html
    assert "action=team.invited&amp;before=end" in html


def test_a_page_past_the_end_says_so(cast, client):
    events = make_events(3, acting_partner=cast.provider)
    client.force_login(cast.provider_admin)
    past_the_oldest = encode_cursor(events[-1], ACTIVITY_ORDER)
    response = client.get(partner_url(cast.provider), {"after": past_the_oldest})
    assert response.context["rows"] == []
    assert "There are no events this far back." in response.content.decode()


@pytest.mark.parametrize("count", [3, 300])
def test_the_activity_pages_run_a_fixed_number_of_queries(
    count, cast, client, django_assert_max_num_queries
):
    make_events(
        count,
        actor=cast.provider_admin,
        acting_partner=cast.provider,
        partners=[cast.reseller],
        customer=cast.customer,
        target=cast.customer,
    )
    make_events(
        count, actor=cast.customer_admin, acting_customer=cast.customer, customer=cast.customer
    )
    client.force_login(cast.provider_admin)
    # one of them fetches the page's partners concerned (who may read personal data), one the
    # service catalog (service codes in the details are shown by name)
    with django_assert_max_num_queries(10):
        response = client.get(partner_url(cast.provider))
    assert len(response.context["rows"]) == min(count, settings.PORTAL_PAGE_SIZE)
    client.force_login(cast.customer_admin)
    with django_assert_max_num_queries(10):
        response = client.get(customer_url(cast.customer))
    assert len(response.context["rows"]) == min(2 * count, settings.PORTAL_PAGE_SIZE)


# ------------------------------------------------------------------------------
# CSV export
# ------------------------------------------------------------------------------


def test_the_partner_export_streams_the_organizations_events(story, cast, client):
    client.force_login(cast.provider_agent)
    response = client.get(partner_url(cast.provider, "portal:partner_activity_export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f"activity-{cast.provider.public_id}-" in response["Content-Disposition"]
    rows = csv_rows(response)
    assert [r["Action"] for r in rows] == [
        "partner.approved",
        "relationship.created",
        "invitation.created",
    ]
    assert rows[1]["By"] == cast.customer.name
    assert rows[1]["Customer"] == cast.customer.name
    assert "Litware" not in str(rows)


def test_the_export_applies_the_filters(story, cast, client):
    client.force_login(cast.provider_admin)
    response = client.get(
        partner_url(cast.provider, "portal:partner_activity_export"),
        {"action": "invitation.created"},
    )
    rows = csv_rows(response)
    assert [r["Subject"] for r in rows] == ["Invitation for Fabrikam"]


def test_the_export_has_no_cap(cast, client):
    make_events(
        2 * settings.PORTAL_PAGE_SIZE + 7, acting_customer=cast.customer, customer=cast.customer
    )
    client.force_login(cast.customer_admin)
    rows = csv_rows(client.get(customer_url(cast.customer, "portal:customer_activity_export")))
    assert len(rows) == 2 * settings.PORTAL_PAGE_SIZE + 7


def test_the_page_links_to_the_export_with_its_filters(story, cast, client):
    client.force_login(cast.customer_admin)
    html = client.get(
        customer_url(cast.customer), {"action": "relationship.created", "page": 1}
    ).content.decode()
    export = customer_url(cast.customer, "portal:customer_activity_export")
    assert f'href="{export}?action=relationship.created"' in html


# ------------------------------------------------------------------------------
# Tabs
# ------------------------------------------------------------------------------


def test_the_activity_tab_shows_for_those_who_may_see_it(cast, client):
    url = partner_url(cast.provider)
    client.force_login(cast.provider_agent)
    assert (
        url in client.get(reverse("partners:home", args=[cast.provider.public_id])).content.decode()
    )
    client.force_login(cast.provider_sales)
    assert (
        url
        not in client.get(reverse("partners:home", args=[cast.provider.public_id])).content.decode()
    )
    client.force_login(cast.customer_admin)
    html = client.get(reverse("customers:home", args=[cast.customer.public_id])).content.decode()
    assert customer_url(cast.customer) in html


def test_the_current_tab_is_marked(cast, client):
    client.force_login(cast.provider_admin)
    html = client.get(partner_url(cast.provider)).content.decode()
    assert f'active" aria-current="page" href="{partner_url(cast.provider)}"' in html
