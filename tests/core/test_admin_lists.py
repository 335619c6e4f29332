"""Changelists that cost the same at 100,000 rows (issue 18): the quick action checkbox, the
distinct-values filter read from the index, the bounded date hierarchy, pages of 50, the
customer admin's indexed search and the bounded search plan."""

import pytest
from django.contrib import admin
from django.contrib.admin.options import ModelAdmin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.plans import bounded_search_plan
from apps.customers.models import Customer
from apps.portal.admin_site import LIST_PER_PAGE
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/admin/customers/customer/"


def test_the_quick_checkbox_is_the_html_django_renders(cast):
    customer = factories.make_customer('Ex <"Ample"> & Co', "ex.partner.onmschina.cn")
    model_admin = admin.site._registry[Customer]
    assert model_admin.action_checkbox(customer) == ModelAdmin.action_checkbox(
        model_admin, customer
    )


def test_every_registered_admin_has_it_and_pages_of_50_unless_it_chose(cast):
    for model_admin in admin.site._registry.values():
        assert type(model_admin).action_checkbox is not ModelAdmin.action_checkbox
    assert admin.site._registry[Customer].list_per_page == LIST_PER_PAGE


def test_the_country_filter_lists_the_distinct_countries(client, cast):
    for i, country in enumerate(["IT", "CN", "IT", "DE"]):
        customer = factories.make_customer(f"C{i}", f"c{i}.partner.onmschina.cn")
        Customer.objects.filter(pk=customer.pk).update(country=country)
    client.force_login(cast.staff)
    response = client.get(URL)
    spec = next(
        s for s in response.context["cl"].filter_specs if getattr(s, "field_path", "") == "country"
    )
    expected = sorted(set(Customer.objects.values_list("country", flat=True)))
    assert list(spec.lookup_choices) == expected
    assert client.get(URL, {"country": "IT"}).context["cl"].result_count == 2


def test_no_changelist_asks_for_distinct_dates(client, cast):
    """The date hierarchy offers periods from the first and last row (MIN/MAX), never a
    DISTINCT over the table."""
    client.force_login(cast.staff)
    for url in ("/admin/customers/resellerrelationship/", "/admin/invitations/invitation/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert not [q for q in queries if "DISTINCT DATE_TRUNC" in q["sql"].upper()]
        assert "All dates" in response.content.decode() or response.context["cl"].date_hierarchy


def test_the_date_hierarchy_offers_the_days_between_the_first_and_last_row(client, cast):
    from django.utils import timezone

    from tests.invitations.builders import make_invitation

    make_invitation(cast.provider, cast.reseller)
    client.force_login(cast.staff)
    html = client.get("/admin/invitations/invitation/").content.decode()
    today = timezone.localdate()
    assert f"created_at__day={today.day}" in html  # one month: its days are offered


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("globex", {"Globex East", "Globex West"}),
        ("GLOBEX west", {"Globex West"}),
        ('"Globex East"', {"Globex East"}),
        ("initech.partner", {"Initech"}),
        ("nothing-like-it", set()),
    ],
)
def test_the_customer_admin_search_matches_every_word(client, cast, term, expected):
    for name, domain in [
        ("Globex East", "ge.partner.onmschina.cn"),
        ("Globex West", "gw.partner.onmschina.cn"),
        ("Initech", "initech.partner.onmschina.cn"),
    ]:
        factories.make_customer(name, domain)
    client.force_login(cast.staff)
    response = client.get(URL, {"q": term})
    assert {c.name for c in response.context["cl"].result_list} == expected


def test_the_customer_admin_finds_public_and_tenant_ids(client, cast):
    customer = factories.make_customer("Umbrella", "umbrella.partner.onmschina.cn")
    client.force_login(cast.staff)
    for term in (customer.public_id.lower(), str(customer.tenant_id).upper()):
        found = client.get(URL, {"q": term}).context["cl"].result_list
        assert [c.pk for c in found] == [customer.pk]


def _indexscan() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_indexscan")
        return cursor.fetchone()[0]


def test_a_bounded_search_plan_is_local_to_its_block(cast):
    few = Customer.objects.filter(name__icontains="northwind")
    with bounded_search_plan(few) as bounded:
        assert bounded is True
        assert _indexscan() == "off"
    assert _indexscan() == "on"


def test_a_broad_search_keeps_the_planner_s_choice(cast):
    with bounded_search_plan(Customer.objects.all(), limit=0) as bounded:
        assert bounded is False
        assert _indexscan() == "on"


def test_a_bounded_plan_nested_in_a_transaction_is_undone_at_its_end(cast):
    from django.db import transaction

    with transaction.atomic():
        with bounded_search_plan(Customer.objects.filter(name__icontains="northwind")):
            assert _indexscan() == "off"
        assert _indexscan() == "on"


def test_every_admin_keeps_its_own_changelist_class_wrapped(rf, cast):
    from apps.audit.models import AuditEvent
    from apps.core.admin import _BoundedSearchResults
    from apps.portal.admin import AuditExportChangeList

    request = rf.get("/")
    request.user = cast.staff
    request.audit_export = True
    changelist = admin.site._registry[AuditEvent].get_changelist(request)
    assert issubclass(changelist, AuditExportChangeList)
    assert issubclass(changelist, _BoundedSearchResults)


def test_a_searched_changelist_runs_its_page_in_the_bounded_plan(client, cast):
    factories.make_customer("Globex", "globex.partner.onmschina.cn")
    client.force_login(cast.staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, {"q": "globex"})
    assert [c.name for c in response.context["cl"].result_list] == ["Globex"]
    sql = [q["sql"] for q in queries]
    off = next(i for i, q in enumerate(sql) if "enable_indexscan = off" in q)
    on = next(i for i, q in enumerate(sql) if "enable_indexscan TO DEFAULT" in q)
    page = next(i for i, q in enumerate(sql) if q.startswith('SELECT "customers_customer"."id"'))
    assert off < page < on


@pytest.mark.parametrize(
    "pk", [1, 42, "abc", "a b/c?d#e", "ü名", "100%", "'quoted'", "x:y@z", "C7HQ9MXK2P"]
)
def test_admin_links_are_the_urls_reverse_gives(cast, pk):
    from django.urls import reverse

    from apps.portal.admin import admin_change_url

    assert admin_change_url(Customer, pk) == reverse("admin:customers_customer_change", args=[pk])


@pytest.mark.parametrize("query", ["", "?q=ample", "?q=ample&country=CN", "?q=ample+%26+co%3D"])
def test_row_links_keep_the_list_s_filters_as_django_writes_them(client, cast, query):
    """Each row's link carries the list's search and filters ("Save" returns to the same list),
    built once a page instead of resolving every row's link: the URLs Django writes."""
    from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
    from django.urls import reverse

    customers = [
        factories.make_customer(f"Ample {i} & Co=", f"ample{i}.partner.onmschina.cn")
        for i in range(3)
    ]
    client.force_login(cast.staff)
    response = client.get(URL + query)
    cl = response.context["cl"]
    preserved = admin.site._registry[Customer].get_preserved_filters(response.wsgi_request)
    assert bool(preserved) == bool(query)
    html = response.content.decode()
    for customer in customers:
        change = reverse("admin:customers_customer_change", args=[customer.pk])
        expected = add_preserved_filters({"preserved_filters": preserved, "opts": cl.opts}, change)
        assert cl.url_for_result(customer) == expected
        assert f'href="{expected.replace("&", "&amp;")}"' in html
