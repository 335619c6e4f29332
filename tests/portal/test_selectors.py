"""Reading the audit log: scoping to an organization, the action list, paging without counts
(keyset pages: tests/core/test_keyset_pagination.py)."""

from datetime import date

from django.db import transaction

from apps.audit.models import AuditEvent
from apps.audit.services import audit_record
from apps.core.pagination import EstimatedCountPaginator, rows_by_ids_first
from apps.core.plans import planner_row_estimate
from apps.portal.selectors import (
    ActivityFilters,
    customer_activity,
    distinct_actions,
    partner_activity,
)
from tests.audit.builders import make_events


def test_for_partner_finds_what_its_staff_did_and_what_concerns_it(cast):
    with transaction.atomic():
        acted = audit_record(action="partner.created", acting_partner=cast.provider)
        concerned = audit_record(action="partner.updated", partners=[cast.provider])
        both = audit_record(
            action="partner.approved",
            acting_partner=cast.provider,
            partners=[cast.provider, cast.reseller],
        )
        audit_record(action="partner.suspended", acting_partner=cast.other_provider)
    found = AuditEvent.objects.for_partner(cast.provider)
    assert sorted(found.values_list("pk", flat=True)) == sorted([acted.pk, concerned.pk, both.pk])
    assert found.count() == 3  # no duplicates without DISTINCT


def test_for_partner_is_a_semi_join_without_distinct_or_or(cast):
    sql = str(AuditEvent.objects.for_partner(cast.provider).query).upper()
    assert "DISTINCT" not in sql
    assert " OR " not in sql
    assert "IN (SELECT" in sql


def test_for_customer_finds_what_its_admins_did_and_what_concerns_it(cast):
    with transaction.atomic():
        acted = audit_record(action="customer.created", acting_customer=cast.customer)
        concerned = audit_record(action="customer.changed", customer=cast.customer)
        audit_record(action="customer.admin_added", acting_partner=cast.provider)
    found = AuditEvent.objects.for_customer(cast.customer)
    assert sorted(found.values_list("pk", flat=True)) == sorted([acted.pk, concerned.pk])


def test_activity_filters_combine(cast):
    make_events(2, acting_partner=cast.provider, action="team.invited")
    wanted = make_events(2, acting_partner=cast.provider, action="team.joined")
    make_events(2, acting_partner=cast.other_provider, action="team.joined")
    filters = ActivityFilters(
        action="team.joined", date_from=date(2000, 1, 1), date_to=date.today()
    )
    found = partner_activity(partner=cast.provider, filters=filters)
    assert [e.pk for e in found] == [e.pk for e in wanted]
    assert customer_activity(customer=cast.customer, filters=filters).count() == 0


def test_distinct_actions_lists_each_action_once_sorted(cast):
    make_events(3, action="grant.moved")
    make_events(2, action="grant.created")
    make_events(1, action="grant.removed")
    assert distinct_actions() == ["grant.created", "grant.moved", "grant.removed"]


def test_distinct_actions_of_an_empty_log_is_empty(db):
    assert distinct_actions() == []


def test_the_estimated_paginator_counts_small_results_exactly(cast, django_assert_num_queries):
    make_events(4, acting_partner=cast.provider)
    paginator = EstimatedCountPaginator(AuditEvent.objects.all(), 2)
    with django_assert_num_queries(1):
        assert paginator.count == 4
    assert paginator.is_estimate is False
    assert paginator.num_pages == 2


def test_postgresql_estimates_a_large_result(cast, monkeypatch):
    make_events(30, acting_partner=cast.provider)
    estimate = planner_row_estimate(AuditEvent.objects.filter(action="invitation.created"))
    assert isinstance(estimate, int) and estimate >= 0
    monkeypatch.setattr(EstimatedCountPaginator, "EXACT_COUNT_LIMIT", 10)
    paginator = EstimatedCountPaginator(AuditEvent.objects.all(), 5)
    assert paginator.count >= 11
    assert paginator.is_estimate is True
    assert len(paginator.page(50).object_list) == 0  # past an over-estimate: empty, not an error


def test_a_deep_page_is_read_ids_first_in_the_same_order(cast, django_assert_num_queries):
    """Past the first page, ids come from the ordering's index, then the rows (2 queries)."""
    make_events(7, acting_partner=cast.provider)
    queryset = AuditEvent.objects.order_by("-created_at", "-id").select_related("actor")
    expected = list(queryset)[2:4]
    with django_assert_num_queries(2):
        rows = rows_by_ids_first(queryset, 2, 2)
    assert rows == expected
