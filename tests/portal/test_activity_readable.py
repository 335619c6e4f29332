"""Activity is written for people (issue 16, point 6): labels from the action registry in the
reader's language, data keys in words, service names instead of codes, and an action filter
that offers only what can concern the organization reading it."""

import re

import pytest
from django.db import transaction
from django.urls import reverse

from apps.audit.actions import AuditAction, actions_for_audience, data_key_label
from apps.audit.services import audit_record
from tests.i18n.catalogs import compile_catalogs, page_text


@pytest.fixture(scope="module", autouse=True)
def compiled_catalogs():
    compile_catalogs()


@pytest.fixture
def events(cast, services):
    with transaction.atomic():
        audit_record(
            action="invitation.created",
            actor=cast.provider_agent,
            acting_partner=cast.provider,
            target=cast.customer,
            partners=[cast.provider],
            customer=cast.customer,
            data={"use_count": 2, "requests_dap": True, "services": ["office365", "azure"]},
        )
        audit_record(
            action="team.invited",
            actor=cast.provider_admin,
            acting_partner=cast.provider,
            target=cast.provider,
            partners=[cast.provider],
            data={"role": "sales_agent"},
        )


def visible_text(response) -> str:
    """What a person reads: the page without its tags (option values are not read)."""
    return re.sub(r"<[^>]+>", " ", page_text(response))


def partner_page(client, cast, **query):
    client.force_login(cast.provider_admin)
    url = reverse("portal:partner_activity", kwargs={"partner_id": cast.provider.public_id})
    return client.get(url, query)


def customer_page(client, cast, **query):
    client.force_login(cast.customer_admin)
    url = reverse("portal:customer_activity", kwargs={"customer_id": cast.customer.public_id})
    return client.get(url, query)


def test_the_page_shows_labels_and_words_not_codes(client, cast, events):
    text = visible_text(partner_page(client, cast))
    assert "Invitation created" in text
    assert "invitation.created" not in text  # not even beside the label
    assert "Times used" in text and "use_count" not in text
    assert "Asks for delegated admin" in text and "requests_dap" not in text
    assert "Yes" in text and "true" not in text
    # service codes become the operator's names, joined as the language joins a list
    assert "Office 365 operated by 21Vianet, Azure operated by 21Vianet" in text


def test_in_chinese_labels_services_and_lists_are_chinese(client, cast, events):
    cast.provider_admin.language = "zh-hans"
    cast.provider_admin.save()
    text = visible_text(partner_page(client, cast))
    assert "invitation.created" not in text
    assert "Invitation created" not in text
    assert "Times used" not in text
    assert "由世纪互联运营的 Office 365、由世纪互联运营的 Azure" in text


def test_a_customer_is_not_offered_the_partners_team_actions(client, cast, events):
    response = customer_page(client, cast)
    offered = {value for value, _label in response.context["form"].fields["action"].choices}
    assert "team.invited" not in offered
    assert "invitation.created" in offered
    # and picking it by hand is refused like any unknown value: the whole list is shown
    response = customer_page(client, cast, action="team.invited")
    assert response.context["form"].errors
    assert all(row["event"].action != "team.invited" for row in response.context["rows"])


def test_a_partner_is_offered_its_team_actions_but_not_the_operators(client, cast, events):
    response = partner_page(client, cast)
    offered = [value for value, _label in response.context["form"].fields["action"].choices]
    assert "team.invited" in offered
    assert "invitation.created" in offered
    assert "group.changed" not in actions_for_audience("partner")
    assert "email.requeued" not in actions_for_audience("partner")
    # labelled, never the dotted name
    labels = dict(response.context["form"].fields["action"].choices)
    assert labels["team.invited"] == "Team member invited"


def test_every_action_an_audience_may_pick_is_registered():
    for audience in ("partner", "customer"):
        assert set(actions_for_audience(audience)) <= set(AuditAction.values)
    assert set(actions_for_audience("customer")) < set(actions_for_audience("partner"))


def test_a_key_without_a_label_still_reads_as_words():
    assert data_key_label("use_count") == "Times used"
    assert data_key_label("some_new_key") == "Some new key"


def test_recorded_moments_are_shown_in_the_readers_zone(client, cast, services):
    with transaction.atomic():
        audit_record(
            action="invitation.extended",
            actor=cast.provider_admin,
            acting_partner=cast.provider,
            target=cast.provider,
            partners=[cast.provider],
            data={"expires_at": "2026-12-07T13:00:00+00:00"},
        )
    cast.provider_admin.time_zone = "Europe/Rome"
    cast.provider_admin.save()
    text = visible_text(partner_page(client, cast))
    assert "Invitation expiry extended" in text
    assert "7 Dec 2026, 14:00 CET" in text
    assert "2026-12-07T13:00" not in text
