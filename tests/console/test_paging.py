"""Every console list pages: 50 rows a page, newest first, a next link while more follow (keeping the filters),
and every row once across the pages; a cursor that is not the list's own is the console's 400 page."""

from __future__ import annotations

import datetime as dt
import html
import re

import httpx
import pytest

from core import clock
from core.customers.models import Customer
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.ledger.services import Ledger
from core.runtime import Runtime
from plugins.product_sync.models import SyncRun
from tests.console.conftest import CUSTOMER, Seeded, admin_key, sign_in

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
NEXT = re.compile(r'<a href="([^"]+)" rel="next">')


async def walk(client: httpx.AsyncClient, url: str, row: re.Pattern[str]) -> list[list[str]]:
    """Follow the next links from `url`: the rows `row` finds on each page."""
    pages = []
    while True:
        page = await client.get(url)
        assert page.status_code == 200, page.text[:400]
        pages.append(row.findall(page.text))
        found = NEXT.search(page.text)
        if found is None:
            return pages
        url = html.unescape(found.group(1))
        assert "First page" in (await client.get(url)).text


async def test_customers_events_runs_and_a_ledger_page_through_everything(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    start = clock.now()
    async with session_scope(runtime.sessions) as session:
        for n in range(120):
            # Some share a creation time: the cursor's id breaks the tie.
            at = start + dt.timedelta(seconds=n // 3)
            session.add(Customer(tenant_id="alpha", external_id=f"bulk-{n:03d}", email=f"b{n}@x.test", created_at=at))
        for n in range(61):
            received = start + dt.timedelta(seconds=n)
            session.add(
                WebhookEvent(
                    tenant_id="alpha",
                    stripe_event_id=f"evt_bulk_{n:03d}",
                    event_type="customer.updated",
                    event_created=int(received.timestamp()),
                    payload="{}",
                    status="ignored",
                    next_attempt_at=received,
                    created_at=received,
                    updated_at=received,
                )
            )
        for n in range(55):
            session.add(SyncRun(tenant_id="alpha", trigger=f"bulk-{n:02d}", status="succeeded"))
    async with session_scope(runtime.sessions) as session:
        ledger = Ledger(session, runtime.tenants.get("alpha"))
        for n in range(70):
            await ledger.grant(CUSTOMER, 1, source="admin", source_ref=f"bulk-{n:02d}")
    assert (await sign_in(client, admin_key("alpha"))).status_code == 303

    pages = await walk(client, "/console/t/alpha/customers", re.compile(r">(bulk-\d{3}|ada@1)</a>"))
    assert [len(p) for p in pages] == [50, 50, 21]
    everyone = [c for p in pages for c in p]
    assert sorted(everyone) == sorted([CUSTOMER, *(f"bulk-{n:03d}" for n in range(120))]), "each once"
    assert everyone[0] == "bulk-119"
    assert everyone[-1] == CUSTOMER, "newest first"

    searched = await walk(client, "/console/t/alpha/customers?q=BULK-0", re.compile(r">(bulk-\d{3})</a>"))
    assert [len(p) for p in searched] == [50, 50], "the search is kept from page to page"

    typed = "/console/t/alpha/webhook-events?status=ignored&type=customer.updated"
    events = await walk(client, typed, re.compile(r"<code>(evt_bulk_\d{3})</code>"))
    assert [len(p) for p in events] == [50, 11]
    assert len({e for p in events for e in p}) == 61

    runs = await walk(client, "/console/t/alpha/catalog-sync-runs", re.compile(r"<td>(admin|bulk-\d{2})</td>"))
    assert [len(p) for p in runs] == [50, 6]

    entries = await walk(client, f"/console/t/alpha/customers/{CUSTOMER}", re.compile(r"<td>(grant|spend|hold)</td>"))
    # The seed's grant, spend and hold, then 70 grants: 73 entries.
    assert [len(p) for p in entries] == [50, 23]


async def test_a_foreign_or_edited_cursor_is_refused_as_a_page(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    assert (await sign_in(client, admin_key("alpha"))).status_code == 303
    for url in (
        "/console/t/alpha/customers?cursor=bm9wZQ",
        "/console/t/alpha/webhook-events?cursor=bm9wZQ",
        "/console/t/alpha/catalog-sync-runs?cursor=bm9wZQ",
        f"/console/t/alpha/customers/{CUSTOMER}?cursor=bm9wZQ",
    ):
        refused = await client.get(url)
        assert refused.status_code == 400, url
        assert "text/html" in refused.headers["content-type"]
        assert "not one this list made" in refused.text
