"""The one-time-link stash and the one problem vocabulary."""

import pytest
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.template import Context, Template
from django.test import RequestFactory

from apps.core.links import LinkProblem, LinkStash, problem_message, render_link_problem

STASH = LinkStash("test_link")


def request_with_session(path="/"):
    request = RequestFactory().get(path)
    request.session = SessionStore()
    return request


def test_the_stash_keeps_the_token_and_redirects_without_it():
    request = request_with_session("/x/secret-token/")
    response = STASH.put_and_redirect(request, "secret-token", "/landing/")
    assert response.status_code == 302
    assert response["Location"] == "/landing/"
    assert response["Referrer-Policy"] == "no-referrer"
    assert STASH.get(request) == "secret-token"
    STASH.clear(request)
    assert STASH.get(request) is None


@pytest.mark.parametrize("token", ["", "x" * 201])
def test_an_empty_or_absurd_token_is_not_kept(token):
    request = request_with_session()
    STASH.put(request, "older-token")
    STASH.put_and_redirect(request, token, "/landing/")
    assert STASH.get(request) is None


@pytest.mark.parametrize(
    ("problem", "status"),
    [
        (LinkProblem.UNKNOWN, 404),
        (LinkProblem.TAMPERED, 404),
        (LinkProblem.REVOKED, 410),
        (LinkProblem.EXPIRED, 410),
        (LinkProblem.USED, 410),
        (LinkProblem.DECLINED, 410),
    ],
)
def test_each_problem_has_its_page_and_status(db, problem, status):
    response = render_link_problem(request_with_session(), problem)
    assert response.status_code == status
    body = response.content.decode()
    assert str(problem.title) in body
    assert str(problem.message) in body
    assert problem_message(problem).startswith(str(problem.title))


def test_no_problem_named_is_an_unknown_link(db):
    assert render_link_problem(request_with_session(), "").status_code == 404


class Member:
    def __init__(self, *perms):
        self.perms = perms

    def has_perm(self, perm):
        return perm in self.perms


def test_the_can_filter_asks_the_membership():
    template = Template(
        '{% load portal_tags %}{% if m|can:"team.manage" %}yes{% else %}no{% endif %}'
    )
    assert template.render(Context({"m": Member("team.manage")})) == "yes"
    assert template.render(Context({"m": Member()})) == "no"
    assert template.render(Context({"m": None})) == "no"


def test_page_url_keeps_the_other_parameters():
    request = RequestFactory().get("/list/", {"q": "contoso", "page": "2"})
    template = Template("{% load portal_tags %}{% page_url 'page' 3 %}")
    assert template.render(Context({"request": request})) == "?q=contoso&amp;page=3"
