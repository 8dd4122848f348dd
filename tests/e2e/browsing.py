"""What every browser journey does: sign in, click and wait for the next page, wait for work
done after commit."""

import time
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.factories import PASSWORD

TIMEOUT = 15000  # ms, Playwright's wait for an element or a page
ASYNC_SECONDS = 20  # work after commit (Celery, notifications, carrier pushes)


def sign_in(context, url, email: str, next_path: str, *, password: str = PASSWORD):
    """A new page of `context`, signed in on the host whose URLs `url(path)` builds, at `next_path`."""
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(url(f"/accounts/login/?next={next_path}"))
    page.fill("input[name=identifier]", email)
    page.fill("input[name=password]", password)
    page.click("form[action='/accounts/login/'] button[type=submit]")
    page.wait_for_url(lambda address: urlsplit(address).path == next_path)
    return page


def click_and_wait(page, locator):
    """Click a link or a form's button and wait for the page it leads to (often the same URL)."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def eventually(check, what: str, seconds: float = ASYNC_SECONDS):
    """Poll `check` (a function returning something truthy when done) for work that happens
    after commit."""
    deadline = time.monotonic() + seconds
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def reload_until(page, locator, count: int, seconds: float = ASYNC_SECONDS):
    """Reload `page` until `locator` matches `count` elements (the page has no live updates)."""
    deadline = time.monotonic() + seconds
    while locator.count() != count and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        page.reload()
    expect(locator).to_have_count(count)
