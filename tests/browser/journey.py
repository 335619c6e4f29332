"""Steps shared by the browser journeys: reading the test mailbox, checking each page a person
lands on, and moving through a page with the keyboard only."""

import re

from django.core import mail
from playwright.sync_api import Locator, Page, expect

from .conftest import assert_accessible

# Emails carry absolute links on PORTAL_BASE_URL (http://testserver in tests); the browser
# follows the same path on the live server.
EMAIL_LINK = re.compile(r"http://testserver(/(?:t|i|accounts/signup)/[^\s<>\"']+/)")


def emails_to(address: str) -> list:
    return [m for m in mail.outbox if address.lower() in (a.lower() for a in m.to)]


def link_in_last_email(address: str, subject: str = "") -> str:
    """The path of the link in the newest email to `address` (whose subject contains
    `subject`), read from its plain-text part as the recipient would."""
    found = [m for m in emails_to(address) if subject in m.subject]
    assert found, f"no email to {address} with {subject!r} in its subject; outbox: " + ", ".join(
        f"{m.to} {m.subject!r}" for m in mail.outbox
    )
    match = EMAIL_LINK.search(found[-1].body)
    assert match, f"no portal link in the email to {address}:\n{found[-1].body}"
    return match.group(1)


def confirm_sign_up(page: Page, address: str) -> None:
    """After a sign-up form: the page says to check the inbox; the person opens the emailed
    confirmation link and confirms, which creates the account and goes on."""
    arrive(page, "Check your email")
    page.goto(link_in_last_email(address, "Confirm your email address"))
    arrive(page, "Confirm your email address")
    page.get_by_role("button", name="Create my account and continue").click()


def arrive(page: Page, heading: str | re.Pattern) -> None:
    """The page has the one <h1> expected here and passes axe (no serious/critical issue)."""
    h1 = page.get_by_role("heading", level=1)
    expect(h1).to_have_count(1)
    expect(h1).to_contain_text(heading)
    assert_accessible(page)


def see(page: Page, text: str | re.Pattern) -> None:
    expect(page.get_by_role("main")).to_contain_text(text)


def field(page: Page, label: str) -> Locator:
    """The form field labelled exactly `label` (crispy-forms adds a "*" to required ones)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, *, max_presses: int = 80) -> int:
    """Press Tab until `target` has the focus (as a keyboard user would); returns the count
    (0 when it has the focus already). Fails if Tab cannot reach it (not focusable, hidden,
    or a focus trap on the way)."""
    if is_focused(target):
        return 0
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if is_focused(target):
            return presses
    focused = page.evaluate(
        "() => { const e = document.activeElement; return e ? e.outerHTML.slice(0, 200) : '' }"
    )
    raise AssertionError(
        f"{target} not reached after {max_presses} Tab presses; focus is on {focused}"
    )


def focus_is_visible(target: Locator) -> bool:
    """The focused element shows it: an outline or a (Bootstrap) focus ring."""
    return target.evaluate(
        """element => {
            const style = getComputedStyle(element);
            return (style.outlineStyle !== "none" && style.outlineWidth !== "0px")
                || style.boxShadow !== "none";
        }"""
    )
