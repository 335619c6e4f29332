"""The base layout works for keyboard and screen-reader users on the account pages."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_user

from .conftest import assert_accessible, login

pytestmark = pytest.mark.browser


def test_the_account_pages_pass_axe_and_let_keyboard_users_skip_to_the_content(page, live_server):
    # the skip link is the first stop for the keyboard and moves focus to <main>
    page.goto(live_server.url + reverse("accounts:password_reset_done"))  # no autofocus here
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()

    public = [
        reverse("accounts:password_reset"),
        reverse("accounts:password_reset_done"),
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "bad"}),
        "/there-is-no-such-page/",
    ]
    for url in public:
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page)

    # a failed sign-in: the error is announced on an accessible page
    make_user("ada@example.test", display_name="Ada")
    login_url = live_server.url + reverse("accounts:login")
    page.goto(login_url)
    page.get_by_label("Email").fill("ada@example.test")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("main")).to_contain_text("That email and password do not match")
    assert_accessible(page)

    login(page, live_server, "ada@example.test", PASSWORD)
    for url in [reverse("accounts:profile"), reverse("accounts:password_change")]:
        page.goto(live_server.url + url)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        assert_accessible(page)
