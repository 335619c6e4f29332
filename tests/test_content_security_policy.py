"""Content-Security-Policy (django-csp): our own files only, no inline script or style."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATE_DIRS = [settings.BASE_DIR / "templates", *settings.BASE_DIR.glob("apps/*/templates")]

# Inline code the policy would block: <script> without src (JSON data blocks are fine),
# <style> blocks, style="" attributes, on*="" handlers and javascript: URLs.
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
FORBIDDEN = [
    (re.compile(r"<style\b", re.IGNORECASE), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.IGNORECASE), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "inline event handler"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
]


def page_templates() -> list[Path]:
    """Every HTML template a browser renders (email bodies may use inline styles)."""
    return sorted(
        path
        for directory in TEMPLATE_DIRS
        for path in directory.rglob("*.html")
        if "email" not in path.relative_to(directory).parts
    )


def inline_code_in(text: str) -> list[str]:
    problems = []
    for tag in SCRIPT_TAG.findall(text):
        if "src=" not in tag and "application/json" not in tag:
            problems.append(f"inline script {tag}")
    for pattern, label in FORBIDDEN:
        problems.extend(f"{label}: {m.group(0).strip()}" for m in pattern.finditer(text))
    return problems


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    parts = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    assert inline_code_in(response.content.decode()) == []
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in " ".join(policy.values())


def test_no_template_contains_inline_script_or_style():
    templates = page_templates()
    assert templates, "no templates found"
    found = {
        str(path.relative_to(settings.BASE_DIR)): problems
        for path in templates
        if (problems := inline_code_in(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_template_check_finds_inline_code():
    sample = (
        '<script>alert(1)</script><script src="/x.js"></script>'
        '<script id="d" type="application/json">{}</script>'
        '<p style="color: red" onclick="go()"><a href="javascript:void(0)">x</a></p><style>'
    )
    assert len(inline_code_in(sample)) == 5


@pytest.mark.django_db
def test_the_admin_sign_in_page_still_renders_under_the_policy(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 200
    assert "Content-Security-Policy" in response
    assert inline_code_in(response.content.decode()) == []


# --- the header built once (apps/core/csp.py, issue 18) ---------------------------------------


def _through(middleware_class, request, response=None):
    from django.http import HttpResponse

    response = response if response is not None else HttpResponse("ok")
    middleware = middleware_class(lambda r: response)
    return middleware(request)


@pytest.mark.django_db
def test_the_portal_sends_exactly_the_header_django_csp_builds(client, settings):
    from csp.middleware import CSPMiddleware

    stock = settings.MIDDLEWARE
    assert "apps.core.csp.CachedCSPMiddleware" in stock
    urls = [reverse("accounts:login"), reverse("admin:login"), "/no-such-page/"]
    cached = [client.get(url) for url in urls]
    settings.MIDDLEWARE = [
        "csp.middleware.CSPMiddleware" if m == "apps.core.csp.CachedCSPMiddleware" else m
        for m in stock
    ]
    built = [client.get(url) for url in urls]
    for ours, theirs in zip(cached, built, strict=True):
        assert ours["Content-Security-Policy"] == theirs["Content-Security-Policy"]
        assert "Content-Security-Policy-Report-Only" not in ours
    assert CSPMiddleware is not None


def test_the_header_is_built_once_for_many_responses(rf, monkeypatch):
    from apps.core import csp as cached_csp

    calls = []
    real = cached_csp.build_policy

    def counting(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    cached_csp._cache.clear()
    monkeypatch.setattr(cached_csp, "build_policy", counting)
    headers = {
        _through(cached_csp.CachedCSPMiddleware, rf.get(f"/p/{i}/"))["Content-Security-Policy"]
        for i in range(50)
    }
    assert len(headers) == 1
    # once for the enforced policy, once to learn there is no report-only policy
    assert len(calls) == 2


def test_a_changed_setting_is_not_served_from_the_old_header(rf, settings):
    from apps.core.csp import CachedCSPMiddleware

    before = _through(CachedCSPMiddleware, rf.get("/"))["Content-Security-Policy"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    after = _through(CachedCSPMiddleware, rf.get("/"))["Content-Security-Policy"]
    assert after == "default-src 'none'" != before
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"img-src": ["'self'"]}}
    response = _through(CachedCSPMiddleware, rf.get("/"))
    # django-csp adds its default-src 'self' to a policy that names none
    report_only = response["Content-Security-Policy-Report-Only"]
    assert sorted(report_only.split("; ")) == ["default-src 'self'", "img-src 'self'"]


def test_per_response_policy_and_nonces_still_go_through_django_csp(rf, settings):
    from csp.constants import NONCE
    from csp.decorators import csp_exempt, csp_update
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    from apps.core.csp import CachedCSPMiddleware

    updated = csp_update({"img-src": ["https://img.example.test"]})(lambda r: HttpResponse())
    for middleware in (CachedCSPMiddleware, CSPMiddleware):
        response = _through(middleware, rf.get("/"), updated(None))
        assert (
            "img-src 'self' data: https://img.example.test" in response["Content-Security-Policy"]
        )
    exempt = csp_exempt()(lambda r: HttpResponse())
    assert "Content-Security-Policy" not in _through(CachedCSPMiddleware, rf.get("/"), exempt(None))

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"script-src": ["'self'", NONCE]}}
    request = rf.get("/")
    middleware = CachedCSPMiddleware(lambda r: HttpResponse(str(r.csp_nonce)))
    response = middleware(request)
    nonce = response.content.decode()
    assert f"'nonce-{nonce}'" in response["Content-Security-Policy"]
    # a second request does not inherit the first one's nonce
    plain = _through(CachedCSPMiddleware, rf.get("/"))["Content-Security-Policy"]
    assert "nonce" not in plain


def test_a_nonce_asked_for_after_the_header_is_written_is_refused(rf):
    from csp.exceptions import CSPNonceError

    from apps.core.csp import CachedCSPMiddleware

    request = rf.get("/")
    _through(CachedCSPMiddleware, request)
    with pytest.raises(CSPNonceError):
        str(request.csp_nonce)
