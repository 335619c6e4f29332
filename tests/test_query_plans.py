"""The lists that must cost the same at 100,000 customers and 5,000,000 events: their queries
have a plan that reads an index, not the whole table, and seed_scale makes data they agree on.

The test database is small, so PostgreSQL would rightly scan its tables; with sequential scans
priced out (`enable_seqscan = off`), a query that *can* use an index does, and one that cannot
(a search no index serves, a filter on an unindexed column) still shows a Seq Scan.
"""

import json

import pytest
from django.contrib.admin.sites import site
from django.core.management import call_command
from django.db import connection
from django.test import Client

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.customers.models import CustomerAccess
from apps.customers.selectors import partner_customers, visible_customers_by_definition
from apps.partners.models import Partner
from apps.portal.selectors import partner_activity

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


def plan_of(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    return json.dumps(plan if not isinstance(plan, str) else json.loads(plan))


def seq_scans(plan: str) -> set[str]:
    found = set()

    def walk(node):
        if node.get("Node Type") == "Seq Scan":
            found.add(node["Relation Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(json.loads(plan)[0]["Plan"])
    return found


@pytest.fixture
def scale(db):
    call_command("seed_scale", customers=300, invitations=40, events=3000, batch=1000)
    return Partner.objects.get(public_id="PCONTOSO01")


def test_seed_scale_is_idempotent_and_keeps_the_visibility_link_true(scale):
    counts = (AuditEvent.objects.count(), CustomerAccess.objects.count())
    call_command("seed_scale", customers=300, invitations=40, events=3000, batch=1000)
    assert (AuditEvent.objects.count(), CustomerAccess.objects.count()) == counts
    # 150 generated customers and the demo's Northwind Traders
    assert partner_customers(scale).count() == 151
    assert set(partner_customers(scale)) == set(visible_customers_by_definition(scale))


def test_the_partner_customer_list_reads_no_whole_table(scale):
    page = partner_customers(scale)[:25]
    assert seq_scans(plan_of(page)) == set()


def test_a_deep_page_of_the_audit_log_reads_ids_from_the_index_alone(scale):
    ids = AuditEvent.objects.order_by("-created_at", "-id").values_list("pk", flat=True)
    plan = plan_of(ids[2000:2050])
    assert seq_scans(plan) == set()


def test_partner_activity_reads_no_whole_table(scale):
    ids = partner_activity(partner=scale).values_list("pk", flat=True)[:26]
    assert seq_scans(plan_of(ids)) == set()


def test_the_admin_audit_search_uses_indexes_for_every_field(scale):
    queryset = AuditEvent.objects.all()
    model_admin = site._registry[AuditEvent]
    results, _ = model_admin.get_search_results(None, queryset, "user42@partner42.test")
    assert seq_scans(plan_of(results.order_by("-created_at", "-id")[:51])) == set()


def test_the_customer_search_uses_the_trigram_indexes(scale):
    plan = plan_of(partner_customers(scale, search="globex")[:25])
    assert seq_scans(plan) == set()


def test_a_page_of_the_customer_list_walks_the_partner_s_links_in_order(scale):
    """The list is put in order on the links' copies of the customers' names: the partner's
    part of access_partner_list_idx, read in order (no sort of the partner's customers). A
    search reads no whole table either (here the partner's 151 links are read and sorted; at
    scale a search walks the same index, testing the term in it: docs/performance.md)."""
    plan = plan_of(partner_customers(scale)[:26])
    assert seq_scans(plan) == set()
    assert "access_partner_list_idx" in plan
    assert '"Node Type": "Sort"' not in plan
    assert seq_scans(plan_of(partner_customers(scale, search="globex")[:26])) == set()


def test_deep_pages_answer_on_seeded_data(scale, client: Client):
    """The pages the bench measures, deep and searched, on the seeded data."""
    client.force_login(User.objects.get(email="admin@contoso-dist.test"))
    for path in (
        "/p/PCONTOSO01/customers/?before=end",
        "/p/PCONTOSO01/customers/?q=globex",
        "/p/PCONTOSO01/activity/?before=end",
        "/p/PCONTOSO01/invitations/?before=end",
    ):
        assert client.get(path).status_code == 200


def test_every_page_the_bench_measures_answers_on_seeded_data(scale):
    """Every page of bench/pages.py (but the stock admins, which only the bench's URLs
    serve), with its placeholders resolved as the bench resolves them, answers 200 and, for
    the searches that ask each database for a word it holds, finds something."""
    from bench.pages import PAGES
    from bench.worker import placeholders

    values = placeholders()
    assert values["customer_word"] not in ("", "none")
    clients = {}
    for page in PAGES:
        if page.group == "stock":
            continue
        if page.user not in clients:
            clients[page.user] = Client()
            clients[page.user].force_login(User.objects.get(email=page.user))
        response = clients[page.user].get(page.path.format(**values))
        assert response.status_code == 200, page.name
        if "{customer_word}" in page.path or "{actor_email}" in page.path:
            assert response.content.count(b"<tr") > 1, page.name


def _keyset(queryset, ordering, row):
    """The page after `row` as keyset_page asks for it (the cursor decoded, the range query)."""
    from django.test import RequestFactory

    from apps.core.pagination import decode_cursor, encode_cursor, keyset_page

    cursor = encode_cursor(row, ordering)
    assert decode_cursor(cursor, queryset, ordering)
    return keyset_page(RequestFactory().get("/", {"after": cursor}), queryset, ordering)


def test_cursor_pages_read_a_range_of_the_ordering_index(scale):
    """A page after a cursor, deep in the list, reads no whole table: the customer list by
    name, the invitation list and the activity newest first."""
    from apps.core.pagination import _bound, _keys
    from apps.customers.selectors import CUSTOMER_LIST_ORDER
    from apps.invitations.selectors import INVITATION_LIST_ORDER, invitation_list
    from apps.portal.selectors import ACTIVITY_ORDER

    for queryset, ordering in (
        (partner_customers(scale).prefetch_related(None), CUSTOMER_LIST_ORDER),
        (invitation_list(partner=scale).prefetch_related(None), INVITATION_LIST_ORDER),
        (partner_activity(partner=scale).prefetch_related(None), ACTIVITY_ORDER),
    ):
        ordered = list(queryset.order_by(*ordering)[:60])
        middle = ordered[len(ordered) // 2]
        page = _keyset(queryset, ordering, middle)
        assert page.object_list and page.object_list[0] == ordered[len(ordered) // 2 + 1]
        keys = _keys(ordering)
        values = [getattr(middle, name) for name, _ in keys]
        after = queryset.filter(_bound(keys, values)).order_by(*ordering)[:26]
        assert seq_scans(plan_of(after)) == set(), ordering
