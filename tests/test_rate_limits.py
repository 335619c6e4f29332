"""Rate limits (issue 15): opening links, accepting and declining, sign-up, password reset and
the team and partnership link pages are counted per client IP and per account; over a limit
the portal answers a translated 429 with Retry-After and changes nothing."""

import re
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from apps.accounts.models import User
from apps.audit.models import AuditEvent
from apps.invitations.tokens import SESSION_KEY, invitation_token, link_path
from apps.partners import services as partner_services
from apps.partners.links import SESSION_TEAM_LINK
from apps.partners.models import Role, TeamInvitation
from tests import factories
from tests.invitations.builders import make_invitation

pytestmark = pytest.mark.django_db

TOKEN_LINK = re.compile(r"http://testserver/t/([A-Za-z0-9_-]{20,})/")
RESET = reverse("accounts:password_reset")
SIGNUP = reverse("invitations:accept_signup")
DECLINE = reverse("invitations:decline")
TEAM_JOIN = reverse("partners:team_join")
PARTNERSHIP_JOIN = reverse("partners:partnership_join")


@pytest.fixture
def limits(settings):
    """limits(scope, ip=..., account=...): set one scope's rates for this test (None: off)."""

    def _set(scope, *, ip=None, account=None):
        rates = {name: dict(value) for name, value in settings.PORTAL_RATE_LIMITS.items()}
        rates[scope] = {"ip": ip, "account": account}
        settings.PORTAL_RATE_LIMITS = rates

    return _set


def client_from(ip: str, **headers) -> Client:
    return Client(REMOTE_ADDR=ip, **headers)


def assert_refused(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "no-store" in response["Cache-Control"]
    assert "Too many requests" in response.content.decode()


def team_link_token(cast, email="new@contoso.test") -> str:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        partner_services.team_invite(
            partner=cast.provider,
            by=cast.provider_admin,
            email=email,
            role=Role.SALES_AGENT,
            acting_partner=cast.provider,
        )
    return TOKEN_LINK.search(mail.outbox[-1].body).group(1)


# ------------------------------------------------------------------------------
# Opening links
# ------------------------------------------------------------------------------
def test_opening_invitation_links_is_limited_per_ip_and_a_refused_open_changes_nothing(
    cast, limits
):
    limits("link_open", ip="3/h")
    invitation = make_invitation(cast.provider)
    visitor = client_from("203.0.113.7")
    for _ in range(3):
        assert visitor.get(link_path("n0t-a-real-token.guessed-by-someone")).status_code != 429
    session_before = dict(visitor.session)
    refused = visitor.get(link_path(invitation_token(invitation)))
    assert_refused(refused)
    # the real token was not taken into the session
    assert dict(visitor.session) == session_before
    # another address is not affected
    other = client_from("203.0.113.8")
    assert other.get(link_path(invitation_token(invitation))).status_code == 302
    assert other.session[SESSION_KEY] == invitation_token(invitation)


def test_opening_links_is_limited_per_signed_in_account_across_addresses(cast, limits):
    limits("link_open", account="2/h")
    token = invitation_token(make_invitation(cast.provider))
    for n in range(2):
        browser = client_from(f"198.51.100.{n + 1}")
        browser.force_login(cast.customer_admin)
        assert browser.get(link_path(token)).status_code == 302
    browser = client_from("198.51.100.99")
    browser.force_login(cast.customer_admin)
    assert_refused(browser.get(link_path(token)))
    # someone else from that address still can
    other = client_from("198.51.100.99")
    other.force_login(cast.provider_admin)
    assert other.get(link_path(token)).status_code == 302


def test_opening_team_and_partnership_links_is_limited(cast, limits):
    limits("link_open", ip="2/h")
    token = team_link_token(cast)
    visitor = client_from("203.0.113.20")
    assert visitor.get(reverse("partners:link", args=["x" * 30])).status_code == 404
    assert visitor.get(reverse("partners:link", args=["y" * 30])).status_code == 404
    assert_refused(visitor.get(reverse("partners:link", args=[token])))
    assert SESSION_TEAM_LINK not in visitor.session


def test_the_team_and_partnership_landing_pages_are_limited(cast, limits):
    limits("link_page", ip="2/h")
    visitor = client_from("203.0.113.30")
    visitor.get(reverse("partners:link", args=[team_link_token(cast)]))
    assert visitor.get(TEAM_JOIN).status_code == 200
    assert visitor.get(PARTNERSHIP_JOIN).status_code != 429
    assert_refused(visitor.get(TEAM_JOIN))
    assert_refused(visitor.post(TEAM_JOIN, {"action": "decline"}))
    # the refused decline changed nothing
    assert TeamInvitation.objects.get().status == TeamInvitation.Status.PENDING


# ------------------------------------------------------------------------------
# Accepting, declining, signing up
# ------------------------------------------------------------------------------
def test_accepting_and_declining_are_limited_per_account(cast, limits):
    limits("respond", account="2/h")
    invitation = make_invitation(cast.provider)
    browser = client_from("192.0.2.10")
    browser.force_login(cast.customer_admin)
    browser.get(link_path(invitation_token(invitation)))
    assert browser.post(reverse("invitations:accept"), {"customer": "nope"}).status_code == 400
    assert browser.post(DECLINE, {"customer": "nope"}).status_code == 400
    events = AuditEvent.objects.count()
    assert_refused(browser.post(DECLINE, {}))
    assert AuditEvent.objects.count() == events
    assert browser.session[SESSION_KEY] == invitation_token(invitation)


def test_customer_sign_up_is_limited_per_email_typed(cast, limits):
    limits("signup", account="2/h")
    invitation = make_invitation(cast.provider)
    data = {"account-email": "Ann@Adventure.test", "account-display_name": "Ann"}
    for n in range(2):
        browser = client_from(f"192.0.2.{n + 1}")
        browser.get(link_path(invitation_token(invitation)))
        assert browser.post(SIGNUP, data).status_code == 400  # the form is incomplete
    browser = client_from("192.0.2.50")
    browser.get(link_path(invitation_token(invitation)))
    # the same address in other letter case is the same account
    assert_refused(browser.post(SIGNUP, {**data, "account-email": "ann@adventure.TEST"}))
    assert browser.post(SIGNUP, {**data, "account-email": "bob@adventure.test"}).status_code == 400
    # showing the form is not counted
    assert browser.get(SIGNUP).status_code == 200


def test_reseller_sign_up_on_the_partnership_page_is_limited_per_ip(cast, limits):
    limits("signup", ip="1/h")
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        partner_services.partnership_invite(
            provider=cast.provider,
            by=cast.provider_admin,
            email="boss@tailspin.test",
            reseller=None,
            acting_partner=cast.provider,
        )
    token = TOKEN_LINK.search(mail.outbox[-1].body).group(1)
    visitor = client_from("192.0.2.77")
    visitor.get(reverse("partners:link", args=[token]))
    assert visitor.post(PARTNERSHIP_JOIN, {"email": "a@tailspin.test"}).status_code == 400
    assert_refused(visitor.post(PARTNERSHIP_JOIN, {"email": "b@tailspin.test"}))


# ------------------------------------------------------------------------------
# Password reset
# ------------------------------------------------------------------------------
def test_password_reset_is_limited_per_email_typed_and_a_refused_one_sends_nothing(limits):
    limits("password_reset", account="2/h")
    factories.make_user("someone@example.test")
    from django.test import TestCase

    for n in range(2):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client_from(f"10.0.0.{n + 1}").post(RESET, {"email": "someone@example.test"})
        assert response.status_code == 302
    assert len(mail.outbox) == 2
    with TestCase.captureOnCommitCallbacks(execute=True):
        refused = client_from("10.0.0.3").post(RESET, {"email": " SomeOne@example.test"})
    assert_refused(refused)
    assert len(mail.outbox) == 2
    # the page itself still shows
    assert client_from("10.0.0.3").get(RESET).status_code == 200


def test_password_reset_is_limited_per_ip(limits):
    limits("password_reset", ip="2/h")
    visitor = client_from("10.1.0.1")
    assert visitor.post(RESET, {"email": "a@example.test"}).status_code == 302
    assert visitor.post(RESET, {"email": "b@example.test"}).status_code == 302
    assert_refused(visitor.post(RESET, {"email": "c@example.test"}))
    assert client_from("10.1.0.2").post(RESET, {"email": "c@example.test"}).status_code == 302


def test_the_forwarded_address_counts_only_behind_a_trusted_proxy(settings, limits):
    limits("password_reset", ip="1/h")
    proxy = "127.0.0.1"
    first = client_from(proxy, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = client_from(proxy, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert first.post(RESET, {"email": "a@example.test"}).status_code == 302
    # untrusted: both are the proxy's address
    assert second.post(RESET, {"email": "b@example.test"}).status_code == 429
    settings.PORTAL_TRUST_X_FORWARDED_FOR = True
    caches["default"].clear()
    assert first.post(RESET, {"email": "a@example.test"}).status_code == 302
    assert second.post(RESET, {"email": "b@example.test"}).status_code == 302
    assert first.post(RESET, {"email": "c@example.test"}).status_code == 429


def test_ipv6_clients_count_per_64_network(limits):
    limits("password_reset", ip="1/h")
    assert client_from("2001:db8:1:2::1").post(RESET, {"email": "a@x.test"}).status_code == 302
    assert client_from("2001:db8:1:2::99").post(RESET, {"email": "b@x.test"}).status_code == 429
    assert client_from("2001:db8:1:3::1").post(RESET, {"email": "c@x.test"}).status_code == 302


# ------------------------------------------------------------------------------
# The 429 page
# ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("language", "title"),
    [("en", "Too many requests"), ("it", "Troppe richieste"), ("zh-hans", "请求过多")],
)
def test_the_429_page_is_in_the_site_layout_and_translated(limits, language, title):
    limits("password_reset", ip="1/h")
    visitor = client_from("10.2.0.1", HTTP_ACCEPT_LANGUAGE=language)
    visitor.post(RESET, {"email": "a@example.test"})
    response = visitor.post(RESET, {"email": "a@example.test"})
    assert response.status_code == 429
    body = response.content.decode()
    assert f"<title>{title}" in body
    assert "Too many requests" not in body or language == "en"
    assert 'lang="' in body  # base.html
    assert int(response["Retry-After"]) <= 3600


def test_limits_can_be_turned_off(settings, limits):
    limits("password_reset", ip="1/h")
    settings.RATELIMIT_ENABLE = False
    visitor = client_from("10.3.0.1")
    for _ in range(3):
        assert visitor.post(RESET, {"email": "a@example.test"}).status_code == 302


# ------------------------------------------------------------------------------
# Redis
# ------------------------------------------------------------------------------
REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture
def redis_cache(settings):
    if not _redis_reachable():
        pytest.skip("no Redis at 127.0.0.1:6379 (the Redis-backed counting is not tested)")
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    # only this test's keys (the Redis backend's clear() would flush the whole database)
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    for key in server.scan_iter(f"{prefix}:*"):
        server.delete(key)


def test_with_redis_two_clients_from_one_address_share_the_count(redis_cache, limits):
    import redis

    limits("password_reset", ip="2/h")
    first, second = client_from("10.4.0.1"), client_from("10.4.0.1")
    assert first.post(RESET, {"email": "a@example.test"}).status_code == 302
    assert second.post(RESET, {"email": "b@example.test"}).status_code == 302
    # the counter is in Redis, where every app server sees it
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(f"{redis_cache}:*"))
    assert keys
    # a fresh cache and connection, as another app server would have
    del caches["default"]
    assert_refused(first.post(RESET, {"email": "c@example.test"}))
    assert_refused(second.post(RESET, {"email": "d@example.test"}))


def test_an_unreachable_cache_lets_requests_through(settings, limits):
    limits("password_reset", ip="1/h")
    settings.CACHES = {
        "default": {
            "BACKEND": "apps.core.cache.PortalRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    visitor = client_from("10.5.0.1")
    assert visitor.post(RESET, {"email": "a@example.test"}).status_code == 302
    assert visitor.post(RESET, {"email": "b@example.test"}).status_code == 302


@pytest.mark.parametrize(
    ("redis_url", "backend"),
    [
        ("redis://127.0.0.1:6379/0", "apps.core.cache.PortalRedisCache"),
        ("", "django.core.cache.backends.locmem.LocMemCache"),
    ],
)
def test_redis_url_chooses_the_default_cache(redis_url, backend):
    code = (
        "import django; from django.conf import settings; django.setup(); "
        "print(settings.CACHES['default']['BACKEND'])"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "REDIS_URL": redis_url,
    }
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == backend


def test_users_are_not_blocked_by_anyone_elses_account(cast, limits):
    limits("link_open", account="1/h")
    token = invitation_token(make_invitation(cast.provider))
    for user in (cast.customer_admin, cast.provider_admin, User.objects.get(is_superuser=True)):
        browser = client_from("10.6.0.1")
        browser.force_login(user)
        assert browser.get(link_path(token)).status_code == 302
