"""The subscription history the metrics read (docs/metrics.md), written from the emulator's own events:
once however often they are delivered, and in the order Stripe's changes happened."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from click.testing import CliRunner
from sqlalchemy import delete, select

from core.cli import main
from core.db import session_scope
from core.runtime import Runtime
from plugins.subscriptions.models import Subscription, SubscriptionChange, SubscriptionInvoice
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import AMOUNTS, Shop, apply_event, create_customer, of_type, paid_checkout
from tests.support.tenants import auth


async def history(runtime: Runtime) -> list[tuple[str, str, int, int, str]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(
                SubscriptionChange.kind,
                SubscriptionChange.tier,
                SubscriptionChange.arr_before,
                SubscriptionChange.arr_after,
                SubscriptionChange.currency,
            )
            .where(SubscriptionChange.tenant_id == "alpha")
            .order_by(SubscriptionChange.occurred_at, SubscriptionChange.created_at)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


async def test_a_paid_checkout_is_one_new_row_however_often_its_events_come(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await paid_checkout(client, stripe_emulator, alpha_key)
    for _ in range(2):  # every delivery, then every delivery again
        for event in events:
            await apply_event(runtime, event)

    monthly = AMOUNTS[("basic", "month")]
    assert await history(runtime) == [("new", "basic", 0, monthly * 12, "usd")]
    [paid] = of_type(events, "invoice.paid")
    async with runtime.sessions() as session:
        invoices = (
            await session.execute(select(SubscriptionInvoice.stripe_invoice_id, SubscriptionInvoice.amount_paid))
        ).all()
    assert [tuple(i) for i in invoices] == [(paid["data"]["object"]["id"], monthly)]

    r = await client.get("/t/alpha/v1/admin/metrics?currency=usd", headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    totals = r.json()["subscriptions"]["usd"]["totals"]
    assert (totals["mrr"], totals["arr"], totals["new"], totals["subscribers_by_tier"]) == (
        monthly,
        monthly * 12,
        1,
        {"basic": 1},
    )
    assert r.json()["revenue"]["usd"]["totals"]["gross_by_stream"] == {"subscriptions": monthly}


async def test_an_upgrade_and_a_cancel_through_the_api_are_recorded_as_they_happen(shop: Shop) -> None:
    await create_customer(shop.http, "cust-1")
    await shop.subscribe("cust-1", "basic")
    await shop.call("PATCH", shop.path("cust-1", "/subscription"), json={"tier": "premium"})
    await shop.settle()
    await shop.call("DELETE", shop.path("cust-1", "/subscription") + "?at_period_end=true")
    await shop.settle()
    await shop.call("DELETE", shop.path("cust-1", "/subscription") + "?at_period_end=false")
    await shop.settle()

    basic, premium = AMOUNTS[("basic", "month")] * 12, AMOUNTS[("premium", "month")] * 12
    assert await history(shop.runtime) == [
        ("new", "basic", 0, basic, "usd"),
        ("expansion", "premium", basic, premium, "usd"),
        ("cancel_scheduled", "premium", premium, premium, "usd"),
        ("churn", "premium", premium, 0, "usd"),
    ]


async def test_subscriptions_stored_before_the_history_are_backfilled_by_the_cli(
    client: Any, runtime: Runtime, make_runtime: Any, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    """One subscription still running, one that ended before the history existed: the CLI gives both theirs."""
    events = await paid_checkout(client, stripe_emulator, alpha_key)
    for event in events:
        await apply_event(runtime, event)
    async with session_scope(runtime.sessions) as session:
        row = (await session.scalars(select(Subscription))).one()
        ended = row.created_at + dt.timedelta(days=3)
        row.status, row.ended_at = "canceled", ended
        await session.execute(delete(SubscriptionChange))

    result = await asyncio.to_thread(
        CliRunner().invoke, main, ["subscriptions", "backfill-history", "alpha"], obj=make_runtime()
    )
    assert result.exit_code == 0, result.output
    assert "alpha: 1 subscription(s) given their history." in result.output

    basic = AMOUNTS[("basic", "month")] * 12
    assert await history(runtime) == [("new", "basic", 0, basic, "usd"), ("churn", "basic", basic, 0, "usd")]
    async with runtime.sessions() as session:
        rows = (await session.execute(select(SubscriptionChange.occurred_at, SubscriptionChange.backfilled))).all()
    assert sorted(tuple(r) for r in rows) == [(row.created_at, True), (ended, True)]
    again = await asyncio.to_thread(CliRunner().invoke, main, ["subscriptions", "backfill-history"], obj=make_runtime())
    assert "alpha: 0 subscription(s)" in again.output, "once"
