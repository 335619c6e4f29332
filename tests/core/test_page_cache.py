"""The page cache (apps/core/page_cache.py): a signed-in page is served again to the same
session while nothing was written to the database, and never otherwise."""

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.core import page_cache
from apps.partners.models import Partner, PartnerMembership
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 30
    cache.clear()


@pytest.fixture
def quiet_database(monkeypatch):
    """The WAL position is the whole cluster's: another test run, autovacuum or any other
    database on the server moves it too, and a page is then rendered again (correct, but not
    what a test of a cache hit can wait for). Here the position moves with this test's own
    writes only (every INSERT, UPDATE or DELETE on its connection, sessions included), as
    PostgreSQL's does when nobody else writes."""
    writes = [0]

    def count_writes(execute, sql, params, many, context):
        if sql.lstrip()[:6].upper() in {"INSERT", "UPDATE", "DELETE"}:
            writes[0] += 1
        return execute(sql, params, many, context)

    monkeypatch.setattr(page_cache, "wal_position", lambda: f"0/{writes[0]}")
    with connection.execute_wrapper(count_writes):
        yield writes


def test_the_position_moves_with_every_write(cast):
    before = page_cache.wal_position()
    Partner.objects.filter(pk=cast.provider.pk).update(name="Moved")
    after = page_cache.wal_position()
    assert before and after and after != before


def url(partner, name="customers:partner_customers") -> str:
    return reverse(name, kwargs={"partner_id": partner.public_id})


def signed_in(client, user):
    client.force_login(user)
    client.get("/", follow=True)  # a browser's first page: it now holds the CSRF cookie
    return client


def queries(client, path):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    return response, len(captured)


def test_the_same_page_again_is_served_from_the_cache(client, cast, quiet_database):
    signed_in(client, cast.provider_admin)
    first, rendered = queries(client, url(cast.provider))
    again, served = queries(client, url(cast.provider))
    assert first.status_code == again.status_code == 200
    assert again.content == first.content
    assert served < rendered and served <= 3  # session, user, the WAL position
    # the security headers are the middleware's, on the cached copy too
    assert "no-store" in again["Cache-Control"]
    assert again["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_any_write_renders_afresh(client, cast, quiet_database):
    signed_in(client, cast.provider_admin)
    client.get(url(cast.provider, "partners:profile"))
    Partner.objects.filter(pk=cast.provider.pk).update(name="Contoso Renamed")  # no signal
    response, rendered = queries(client, url(cast.provider, "partners:profile"))
    assert "Contoso Renamed" in response.content.decode()
    assert rendered > 3


def test_a_removed_member_is_refused_at_once(client, cast):
    signed_in(client, cast.provider_admin)
    assert client.get(url(cast.provider)).status_code == 200
    PartnerMembership.objects.filter(user=cast.provider_admin, partner=cast.provider).delete()
    assert client.get(url(cast.provider)).status_code in (403, 404)


def test_each_session_user_and_language_has_its_own_copy(client, cast, django_user_model):
    signed_in(client, cast.provider_admin)
    english = client.get(url(cast.provider, "partners:profile")).content
    other = signed_in(client.__class__(), cast.provider_admin)
    assert other.get(url(cast.provider, "partners:profile")).content != b""
    keys = {
        page_cache.page_key(_request(c, url(cast.provider, "partners:profile")), "0/0")
        for c in (client, other)
    }
    assert len(keys) == 2  # two sessions, two entries (their CSRF tokens differ)
    client.cookies["django_language"] = "it"
    italian = client.get(url(cast.provider, "partners:profile"), HTTP_ACCEPT_LANGUAGE="it")
    assert italian.content != english or italian["Content-Language"] == "en"


def _request(client, path):
    from django.test import RequestFactory

    request = RequestFactory().get(path)
    request.COOKIES = {k: v.value for k, v in client.cookies.items()}
    request.user = type("U", (), {"pk": 1})()
    request.session = type("S", (), {"session_key": client.cookies["sessionid"].value})()
    return request


def test_pending_flash_messages_are_never_served_from_the_cache(rf, cast):
    """A message waiting in the session or in its cookie: the page is rendered (and shows
    it); the rendered page is not stored either (test_what_is_never_stored)."""
    request = rf.get("/")
    request.user = cast.provider_admin
    request.COOKIES = {"csrftoken": "x" * 32}
    request.session = {"_messages": "[…]"}
    request.session = type("S", (dict,), {"session_key": "abc"})(request.session)
    assert page_cache._messages_pending(request)
    assert not page_cache._may_use(request)
    request.session.pop("_messages")
    assert page_cache._may_use(request)
    request.COOKIES["messages"] = "…"
    assert not page_cache._may_use(request)


def test_what_is_never_stored(rf, cast):
    request = rf.get("/")
    request.COOKIES = {}
    request.session = type("S", (), {"modified": False})()
    request._messages = FallbackStorage(request)

    def may_store(response):
        return page_cache._may_store(request, response)

    from django.http import HttpResponse, StreamingHttpResponse

    assert may_store(HttpResponse("<p>ok</p>"))
    assert not may_store(HttpResponse("x", status=404))
    assert not may_store(HttpResponse("x", content_type="text/csv"))
    assert not may_store(StreamingHttpResponse(iter([b"a"]), content_type="text/html"))
    never = HttpResponse("x")
    never["Cache-Control"] = "no-store"
    assert not may_store(never)
    cookie = HttpResponse("x")
    cookie.set_cookie("sessionid", "other")
    assert not may_store(cookie)
    request.session.modified = True
    assert not may_store(HttpResponse("x"))
    request.session.modified = False
    request._messages.add(constants.INFO, "queued")
    assert not may_store(HttpResponse("x"))
    list(get_messages(request))


def test_post_anonymous_and_hard_reload_are_not_cached(client, cast, quiet_database):
    profile = url(cast.provider, "partners:profile")
    assert client.get(profile).status_code == 302  # anonymous: to sign in, not cached
    signed_in(client, cast.provider_admin)
    client.get(profile)
    _response, rendered = queries(client.__class__(), profile)
    response, count = queries(client, profile)
    assert count <= 3
    with CaptureQueriesContext(connection) as captured:
        client.get(profile, HTTP_CACHE_CONTROL="no-cache")
    assert len(captured) > 3


def test_off_when_the_setting_is_zero(client, cast, settings):
    settings.PORTAL_PAGE_CACHE_SECONDS = 0
    signed_in(client, cast.provider_admin)
    client.get(url(cast.provider))
    _response, count = queries(client, url(cast.provider))
    assert count > 3


def test_an_unavailable_cache_renders_the_page(client, cast, monkeypatch):
    signed_in(client, cast.provider_admin)

    class Down:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache down")

        set = get

    monkeypatch.setattr(page_cache, "cache", Down())
    assert client.get(url(cast.provider)).status_code == 200


def test_admin_changelists_are_cached_per_session_too(client, cast, quiet_database):
    signed_in(client, cast.staff)
    first, rendered = queries(client, "/admin/customers/customer/")
    again, served = queries(client, "/admin/customers/customer/")
    assert first.status_code == 200 and again.content == first.content
    assert served <= 3 < rendered
    factories.make_customer("Fresh Customer", "fresh.partner.onmschina.cn")
    assert "Fresh Customer" in client.get("/admin/customers/customer/").content.decode()
