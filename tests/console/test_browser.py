"""The console in a real browser: Playwright driving Debian's Chromium against a live server.

Each test saves a screenshot under build/screenshots/. `make test` installs Chromium first when
/usr/bin/chromium is missing (`make chromium`); these tests are skipped, saying why, only when it is
still not there (or Playwright is not installed).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.app import create_app
from core.runtime import Runtime
from tests.console.conftest import CUSTOMER, OPERATOR_KEY, Seeded, admin_key, seed
from tests.support.app import live_server

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

try:
    from playwright.async_api import Browser, Page, async_playwright, expect
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

pytestmark = [
    pytest.mark.skipif(
        async_playwright is None, reason="Playwright is not installed (pip install -e '.[dev]' brings it)"
    ),
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"no Chromium at {CHROMIUM}: `make chromium` (apt-get install chromium) could not install it",
    ),
]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        # Root in a container has no user namespace for Chromium's sandbox.
        launched = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        await launched.close()


@pytest.fixture
async def served(runtime: Runtime) -> AsyncIterator[tuple[str, Seeded]]:
    """The app on a live port, with the console's test data made through its API."""
    async with live_server(create_app(runtime)) as base_url:
        async with httpx.AsyncClient(base_url=base_url, trust_env=False) as http:
            seeded = await seed(runtime, http)
        yield base_url, seeded


async def new_page(browser: Browser, base_url: str, **options: Any) -> Page:
    context = await browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 800}, **options)
    return await context.new_page()


async def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


async def sign_in(page: Page, key: str, tenant: str = "") -> None:
    await page.goto("/console/")
    await page.get_by_label("API key").fill(key)
    if tenant:
        await page.get_by_label("Tenant").select_option(tenant)
    await page.get_by_role("button", name="Sign in").click()


async def test_an_operator_of_a_tenant_walks_the_console(browser: Browser, served: tuple[str, Seeded]) -> None:
    base_url, seeded = served
    page = await new_page(browser, base_url)
    await sign_in(page, admin_key("alpha"))
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Alpha App")
    await expect(page.locator("#outstanding")).to_have_text("350")
    await expect(page.locator("svg.chart").first).to_be_visible()
    await shot(page, "overview-month")

    await page.get_by_label("days").check()
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(f"{base_url}/console/t/alpha/?interval=day&currency=")
    await expect(page.get_by_role("columnheader", name="day", exact=True).first).to_be_visible()
    await shot(page, "overview-day")
    # The interval is kept when a currency is chosen; alpha sells nothing in money, so no money figure shows.
    await page.get_by_label("Currency").fill("usd")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(f"{base_url}/console/t/alpha/?interval=day&currency=usd")
    await expect(page.get_by_text("Money figures in USD only")).to_be_visible()
    await expect(page.locator("#outstanding")).to_have_text("350")
    await expect(page.get_by_role("heading", name="Operations")).to_be_visible()

    await page.get_by_role("link", name="Customers").click()
    await page.get_by_label("Customer id or email").fill("ada@example")
    await page.get_by_role("button", name="Search").click()
    await page.get_by_role("link", name=CUSTOMER).click()
    await expect(page.locator("#balance")).to_have_text("350")
    await expect(page.get_by_role("heading", name="Holds")).to_be_visible()
    await shot(page, "customer")

    await page.get_by_role("link", name="Stripe events").click()
    await page.get_by_label("Status").select_option("dead")
    await page.get_by_role("button", name="Filter").click()
    await page.get_by_role("link", name=f"Replay {seeded.dead_event}").click()
    await page.get_by_role("button", name="Replay it").click()
    row = page.locator(f"#row-{seeded.dead_event}")
    for _ in range(50):  # the worker runs in the server's process: the row settles within moments
        if await row.get_attribute("data-status") == "processed":
            break
        await asyncio.sleep(0.1)
        await page.reload()
    await expect(row.locator(".status")).to_have_text("processed")
    await shot(page, "replayed")

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.goto("/console/t/alpha/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await shot(page, "signed-out")


async def test_a_wrong_key_is_refused(browser: Browser, served: tuple[str, Seeded]) -> None:
    base_url, _ = served
    page = await new_page(browser, base_url)
    await sign_in(page, "tg_not_a_key")
    await expect(page.get_by_role("alert")).to_contain_text("not an admin key of any tenant")
    await shot(page, "wrong-key")
    context_cookies = await page.context.cookies()
    assert [c["name"] for c in context_cookies if c["name"] == "tollgate_console"] == []


async def test_one_tenants_cookie_cannot_read_another_tenants_pages(
    browser: Browser, served: tuple[str, Seeded]
) -> None:
    base_url, _ = served
    page = await new_page(browser, base_url)
    await sign_in(page, admin_key("beta"), tenant="beta")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Beta App")
    answer = await page.goto("/console/t/alpha/customers")
    assert answer is not None
    assert answer.status == 403
    await expect(page.get_by_role("alert")).to_contain_text("cannot read alpha's pages")
    assert await page.get_by_text("ada@example.com").count() == 0
    await shot(page, "other-tenant-refused")


async def test_the_operator_sees_the_deployment_at_phone_width(browser: Browser, served: tuple[str, Seeded]) -> None:
    base_url, _ = served
    page = await new_page(browser, base_url)
    await page.set_viewport_size({"width": 390, "height": 844})
    await sign_in(page, OPERATOR_KEY)
    await expect(page.get_by_role("heading", name="Deployment")).to_be_visible()
    await expect(page.get_by_role("link", name="1", exact=True).first).to_be_visible()  # alpha's dead event
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the page scrolls sideways at phone width"
    await shot(page, "deployment-phone")
    await page.keyboard.press("Tab")  # the skip link comes first and leads to the content
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
