"""Refunds and lost disputes of subscription invoices in `GET /admin/metrics` (docs/metrics.md, "Revenue"), on a
scripted March 2026 computed by hand.

c1 subscribes to basic monthly on 2 March (invoice in_c1_1, 1000 usd paid); c2 to pro on 3 March (in_c2_1,
3000). On 10 March 400 of c1's invoice is refunded, and a refund of 100 fails; on 12 March c2 disputes its
3000, lost on 20 March; a 700 refund made on 2 April belongs to April. By hand, March in usd:
gross 1000 + 3000 = 4000; refunds 400 (the failed one does not count); disputes 3000; net 4000 - 400 - 3000
= 600; two paying customers, arpu 600 / 2 = 300.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from core.db import session_scope
from core.runtime import Runtime
from plugins.subscriptions.billing import Billing
from plugins.subscriptions.lifecycle import Lifecycle
from plugins.subscriptions.models import SubscriptionInvoice
from tests.metrics.conftest import at, move_clock, paid_invoice, stripe_subscription
from tests.support.tenants import auth

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def subscribe(runtime: Runtime, customer: str, price: str, invoice: str, amount: int, when: dt.datetime) -> None:
    move_clock(when)
    obj = stripe_subscription(f"sub_{customer}", customer, price, start=when)
    async with session_scope(runtime.sessions) as session:
        lifecycle = Lifecycle(session, runtime.tenants.get("alpha"), runtime)
        row = await lifecycle.apply(obj, observed=when, event_id=f"evt_{customer}")
        assert row is not None
        await lifecycle.grant_invoice(row, {**paid_invoice(invoice, amount, when), "created": int(when.timestamp())})


async def money_back(
    runtime: Runtime, invoice: str, kind: str, found: dict[str, Any], closed: dt.datetime | None = None
) -> None:
    """A refund or dispute of the invoice's charge, as `charge.refunded` / `charge.dispute.*` store it."""
    async with session_scope(runtime.sessions) as session:
        billing = Billing(session, runtime.tenants.get("alpha"))
        stored = await billing._invoice_row(invoice)  # noqa: SLF001 - the row the events would have found
        assert isinstance(stored, SubscriptionInvoice)
        stored.charge_id = f"ch_{invoice}"
        await billing.reversal(stored, kind, {"currency": "usd", "charge": f"ch_{invoice}", **found}, closed_at=closed)


async def test_refunds_and_lost_disputes_of_invoices_count_in_the_subscriptions_stream(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for name in ("c1", "c2"):
        assert (await client.put(f"/t/alpha/v1/customers/{name}", json={}, headers=auth("alpha"))).status_code == 201
    await subscribe(runtime, "c1", "price_basic_month", "in_c1_1", 1000, at("2026-03-02"))
    await subscribe(runtime, "c2", "price_pro_month", "in_c2_1", 3000, at("2026-03-03"))
    march10 = int(at("2026-03-10").timestamp())
    await money_back(
        runtime, "in_c1_1", "refund", {"id": "re_1", "amount": 400, "status": "succeeded", "created": march10}
    )
    await money_back(
        runtime, "in_c1_1", "refund", {"id": "re_2", "amount": 100, "status": "failed", "created": march10}
    )
    opened = {"id": "du_1", "amount": 3000, "created": int(at("2026-03-12").timestamp())}
    await money_back(runtime, "in_c2_1", "dispute", {**opened, "status": "needs_response"})
    await money_back(runtime, "in_c2_1", "dispute", {**opened, "status": "lost"}, closed=at("2026-03-20"))
    april = int(at("2026-04-02").timestamp())
    await money_back(
        runtime, "in_c1_1", "refund", {"id": "re_3", "amount": 700, "status": "succeeded", "created": april}
    )

    r = await client.get(
        "/t/alpha/v1/admin/metrics?since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month",
        headers=auth("alpha", "admin"),
    )
    assert r.status_code == 200, r.text
    usd = r.json()["revenue"]["usd"]["totals"]
    assert (usd["gross"], usd["refunds"], usd["disputes"], usd["net"]) == (4000, 400, 3000, 600)
    assert usd["gross_by_stream"] == {"subscriptions": 4000}
    assert (usd["paying_customers"], usd["arpu"]) == (2, 300)
