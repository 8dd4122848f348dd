"""Browser journeys: Playwright driving Debian's Chromium against a live server.

`*.localhost` names resolve to 127.0.0.1 in Chromium, so the mall, the operator host and every
shop host are reachable on the live server's port.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-dev-shm-usage"]


def chromium_path() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or (
        "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI (apt-get install chromium)")
        pytest.skip("Chromium not found on this machine (set CHROMIUM_PATH to run)")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
    # test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def mall_server(live_server, settings):
    """Base URLs of the live server's hosts, with links between hosts carrying its port."""
    port = urlsplit(live_server.url).port
    settings.MALL_PORT = str(port)
    domain = settings.MALL_DOMAIN

    def url(host_prefix: str = "", path: str = "/") -> str:
        host = f"{host_prefix}.{domain}" if host_prefix else domain
        return f"http://{host}:{port}{path}"

    return url
