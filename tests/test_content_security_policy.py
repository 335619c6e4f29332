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
