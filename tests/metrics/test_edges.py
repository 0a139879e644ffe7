"""Edge cases of docs/metrics.md that the scripted months do not reach, each worked out by hand: a bucket with
refunds and no payment, a negative ARPU floored toward minus infinity, holds in `consumed` and in the prepaid
liability, and a zero-decimal currency whose yearly plans are divided by 12 once, on the total."""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import httpx
import pytest

from core.db import session_scope
from core.ledger.services import Ledger
from core.runtime import Runtime
from plugins.token_packages.models import Order, Payment
from tests.metrics.conftest import at, move_clock, paid_invoice, stripe_subscription
from tests.metrics.test_metrics import apply, customers, history, ledger, metrics, token_package

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def paid_pack(
    runtime: Runtime, customer_id: UUID, name: str, when: dt.datetime, amount: int, bought: int = 10
) -> str:
    """A paid order of `amount` cny for `bought` credits (no grant: revenue only); the grant's `source_ref`."""
    ref = f"p-{name}-{bought}"
    async with session_scope(runtime.sessions) as session:
        order = Order(
            tenant_id="alpha",
            customer_id=customer_id,
            customer=name,
            package=ref,
            package_name="pack",
            currency="cny",
            amount=amount,
            credits=bought,
            status="succeeded",
            paid_at=when,
            created_at=when,
            updated_at=when,
        )
        session.add(order)
        await session.flush()
        session.add(
            Payment(
                tenant_id="alpha",
                order_id=order.id,
                customer=name,
                grant_ref=ref,
                amount=amount,
                currency="cny",
                credits=bought,
                paid_at=when,
                created_at=when,
                updated_at=when,
            )
        )
    return ref


def day(found: dict[str, Any], currency: str = "cny") -> dict[str, Any]:
    [bucket] = found["revenue"][currency]["series"]
    return dict(bucket)


async def test_refunds_alone_and_a_negative_arpu(client: httpx.AsyncClient, runtime: Runtime) -> None:
    ids = await history(client, runtime)
    the_20th = "since=2026-03-20T00:00:00Z&until=2026-03-21T00:00:00Z&interval=day&currency=cny"
    # 20 March: February's pack refunded (2500), nothing paid: no order, so no average and no ARPU.
    alone = day(await metrics(client, the_20th))
    assert (alone["gross"], alone["refunds"], alone["net"], alone["orders"]) == (0, 2500, -2500, 0)
    assert (alone["average_order_value"], alone["paying_customers"], alone["arpu"]) == (None, 0, None)
    # Two packs paid that day (1000 by c3, 1001 by c4): net 2001 - 2500 = -499 over 2 payers is -249.5,
    # floored toward minus infinity: -250 (not -249); the average order 2001 / 2 floors to 1000.
    await paid_pack(runtime, ids["c3"], "c3", at("2026-03-20", 9), 1000)
    await paid_pack(runtime, ids["c4"], "c4", at("2026-03-20", 10), 1001)
    paid = day(await metrics(client, the_20th))
    assert (paid["gross"], paid["refunds"], paid["net"], paid["orders"]) == (2001, 2500, -499, 2)
    assert (paid["average_order_value"], paid["paying_customers"], paid["arpu"]) == (1000, 2, -250)


async def test_a_hold_consumes_credits_when_placed_and_prepaid_money_when_captured(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ids = await customers(client, runtime)
    # 10 credits bought for 1000 fen (100 a credit), held 4 on the 3rd in the evening, 3 of them captured
    # the next morning.
    await token_package(runtime, ids, at("2026-03-02"), "p-c5", 1000, 10)
    move_clock(at("2026-03-03", 20))
    async with session_scope(runtime.sessions) as session:
        hold = await Ledger(session, runtime.tenants.get("alpha")).hold("c5", 4, ttl_seconds=86400)
    await ledger(runtime, at("2026-03-04", 10), "capture", customer="c5", hold_id=hold.id, amount=3)

    found = await metrics(client, "since=2026-03-02T00:00:00Z&until=2026-03-06T00:00:00Z&interval=day")
    credit = found["credits"]["series"]
    # Credits: the hold counts when placed (4); its release of the uncaptured 1 gives 1 back on the 4th.
    assert [b["consumed"] for b in credit] == [0, 4, -1, 0]
    assert [b["outstanding"] for b in credit] == [10, 6, 7, 7]
    # Money: nothing leaves the liability until the capture, which consumes 3 credits (300).
    liability = found["credits"]["prepaid_liability"]["cny"]["series"]
    assert [(b["opening"], b["consumed"], b["closing"]) for b in liability] == [
        (0, 0, 1000),
        (1000, 0, 1000),
        (1000, 300, 700),
        (700, 0, 700),
    ]
    assert liability[0]["added"] == 1000
    assert found["credits"]["prepaid_value"] == {"cny": 700}


def yen(sub_id: str, customer: str, start: dt.datetime) -> dict[str, Any]:
    """A yearly plan of 10000 JPY (a zero-decimal currency: 10000 yen, not 100.00)."""
    obj = stripe_subscription(sub_id, customer, "price_basic_year", start=start)
    obj["currency"] = "jpy"
    price = obj["items"]["data"][0]["price"]
    price.update(currency="jpy", unit_amount=10000)
    return obj


async def test_yearly_plans_in_a_zero_decimal_currency(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await customers(client, runtime)
    for n, name in enumerate(("c1", "c2", "c3", "c4", "c5")):
        when = at("2026-03-02") + dt.timedelta(days=n)
        invoice = {**paid_invoice(f"in_jpy_{n}", 10000 + (1 if n == 4 else 0), when), "currency": "jpy"}
        await apply(runtime, when, yen(f"sub_jpy_{n}", name, when), invoice)

    found = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month")
    assert found["currencies"] == ["jpy"]
    [march] = found["subscriptions"]["jpy"]["series"]
    # Five run rates of 10000 a year: 50000; MRR = floor(50000 / 12) = 4166, not 5 x floor(10000 / 12) = 4165.
    assert (march["arr"], march["mrr"], march["movements"]["new"], march["active"]) == (50000, 4166, 4166, 5)
    # Invoices 4 x 10000 + 10001 yen: the average floors to a whole yen.
    [revenue] = found["revenue"]["jpy"]["series"]
    assert (revenue["gross"], revenue["orders"], revenue["average_order_value"], revenue["arpu"]) == (
        50001,
        5,
        10000,
        10000,
    )


async def test_a_grant_source_no_plugin_declares(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await customers(client, runtime)
    await ledger(runtime, at("2026-03-02"), "grant", customer="c1", amount=5, source="mystery", source_ref="m-1")
    found = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month")
    totals = found["credits"]["totals"]
    assert (totals["granted"], totals["granted_by_source"], totals["granted_by_plugin"]) == (
        5,
        {"mystery": 5},
        {"undeclared": 5},
    )
    assert found["credits"]["prepaid_liability"] == {}, "a grant nobody paid for is no liability"
