"""The prepaid liability's movement (`credits.prepaid_liability`), worked out by hand: on the scripted February
and March of test_metrics, and on a pack whose price does not divide by its credits (the rounding rule)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest

from core.db import session_scope
from core.ledger.services import Ledger
from core.runtime import Runtime
from tests.metrics.conftest import at, move_clock
from tests.metrics.test_edges import paid_pack
from tests.metrics.test_metrics import customers, history, ledger, metrics

pytestmark = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


def moved(opening: int, added: int, consumed: int, clawed_back: int, expired: int, closing: int) -> dict[str, int]:
    assert opening + added - consumed - clawed_back - expired == closing, "the test's own sum"
    return {
        "opening": opening,
        "added": added,
        "consumed": consumed,
        "clawed_back": clawed_back,
        "expired": expired,
        "closing": closing,
    }


def figures(bucket: dict[str, Any]) -> dict[str, int]:
    return {k: v for k, v in bucket.items() if k not in ("start", "end")}


async def test_the_scripted_months_liability_and_what_moved_it(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await history(client, runtime)
    found = (await metrics(client))["credits"]
    # cny. February: pay-feb bought, 500 credits for 5000. March: pay-mar bought (1100 for 10000); c5 spends
    # 300, all from pay-feb, the older (500 -> 200 credits: 5000 -> 2000); pay-feb's refund claws back 100
    # (200 -> 100: 2000 -> 1000). The admin gift's spend and expiry are not prepaid: they move nothing here.
    feb, mar = found["prepaid_liability"]["cny"]["series"]
    assert figures(feb) == moved(0, 5000, 0, 0, 0, 5000)
    assert figures(mar) == moved(5000, 10000, 3000, 1000, 0, 11000)
    assert figures(found["prepaid_liability"]["cny"]["totals"]) == moved(0, 15000, 3000, 1000, 0, 11000)
    # usd: the paid PAYG purchase (300 credits for 300), untouched; February has nothing.
    feb, mar = found["prepaid_liability"]["usd"]["series"]
    assert (figures(feb), figures(mar)) == (moved(0, 0, 0, 0, 0, 0), moved(0, 300, 0, 0, 0, 300))
    # The window's closing is today's liability when the window ends now.
    closing = {c: s["totals"]["closing"] for c, s in found["prepaid_liability"].items()}
    assert closing == found["prepaid_value"] == {"cny": 11000, "usd": 300}


async def test_a_window_that_starts_or_ends_between_the_moves(client: httpx.AsyncClient, runtime: Runtime) -> None:
    await history(client, runtime)
    # March alone: pay-feb (500 credits, worth 5000) opens it; pay-mar is bought in it.
    march = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month")
    assert figures(march["credits"]["prepaid_liability"]["cny"]["totals"]) == moved(5000, 10000, 3000, 1000, 0, 11000)
    # Up to 10 March: the clawback of the 20th is after the window: pay-feb 200 (2000) + pay-mar 1100 (10000).
    early = await metrics(client, "since=2026-02-01T00:00:00Z&until=2026-03-10T00:00:00Z&interval=month&currency=cny")
    assert figures(early["credits"]["prepaid_liability"]["cny"]["totals"]) == moved(0, 15000, 3000, 0, 0, 12000)
    assert set(early["credits"]["prepaid_liability"]) == {"cny"}, "the currency asked for only"
    # April, after everything: nothing moves, the liability stands.
    april = await metrics(client, "since=2026-04-01T00:00:00Z&until=2026-05-01T00:00:00Z&interval=month")
    assert figures(april["credits"]["prepaid_liability"]["cny"]["totals"]) == moved(11000, 0, 0, 0, 0, 11000)
    # A weekly cut of March sums to the monthly one, every week reconciling on its own.
    weekly = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=week")
    weeks = weekly["credits"]["prepaid_liability"]["cny"]["series"]
    assert [figures(w) for w in weeks] == [
        moved(5000, 0, 0, 0, 0, 5000),  # Sunday 1 March
        moved(5000, 10000, 3000, 0, 0, 12000),  # pay-mar on the 5th, the spend on the 6th
        moved(12000, 0, 0, 0, 0, 12000),
        moved(12000, 0, 0, 1000, 0, 11000),  # the clawback on the 20th
        moved(11000, 0, 0, 0, 0, 11000),
        moved(11000, 0, 0, 0, 0, 11000),
    ]


async def odd_pack(runtime: Runtime, customer_id: Any, when: dt.datetime) -> None:
    """Three credits for 1000 fen, expiring on 20 March: each credit is worth 333.33 fen."""
    ref = await paid_pack(runtime, customer_id, "c5", when, 1000, bought=3)
    await ledger(
        runtime,
        when,
        "grant",
        customer="c5",
        amount=3,
        source="token_packages.order",
        source_ref=ref,
        expires_at=at("2026-03-20"),
    )


async def test_worth_is_floored_per_grant_and_moves_are_its_differences(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    ids = await customers(client, runtime)
    await odd_pack(runtime, ids["c5"], at("2026-03-02"))
    move_clock(at("2026-03-03"))
    async with session_scope(runtime.sessions) as session:
        spent = await Ledger(session, runtime.tenants.get("alpha")).spend("c5", 1)
    await ledger(runtime, at("2026-03-04"), "refund", customer="c5", entry_id=spent.entry_id)
    await ledger(runtime, at("2026-03-05"), "spend", customer="c5", amount=2)
    move_clock(at("2026-03-21"))
    async with session_scope(runtime.sessions) as session:
        assert await Ledger(session, runtime.tenants.get("alpha")).settle_due(10) == 1

    # Worth: 3 credits 1000, 2 credits 666, 1 credit 333, none 0.
    days = await metrics(client, "since=2026-03-02T00:00:00Z&until=2026-03-22T00:00:00Z&interval=day&currency=cny")
    liability = days["credits"]["prepaid_liability"]["cny"]
    by_day = {b["start"][:10]: figures(b) for b in liability["series"]}
    assert by_day["2026-03-02"] == moved(0, 1000, 0, 0, 0, 1000)
    assert by_day["2026-03-03"] == moved(1000, 0, 334, 0, 0, 666)  # 1 spent: 1000 - 666
    assert by_day["2026-03-04"] == moved(666, 0, -334, 0, 0, 1000)  # the spend refunded: worth 1000 again
    assert by_day["2026-03-05"] == moved(1000, 0, 667, 0, 0, 333)  # 2 spent: 1000 - 333
    # The last credit lapsed on the 20th; the ledger wrote its expiry when it settled, on the 21st (breakage).
    assert by_day["2026-03-21"] == moved(333, 0, 0, 0, 333, 0)
    assert figures(liability["totals"]) == moved(0, 1000, 667, 0, 333, 0)
    # One month: the pack bought, 2 credits consumed net (1000 -> 333), 1 expired (333 -> 0).
    month = await metrics(client, "since=2026-03-01T00:00:00Z&until=2026-04-01T00:00:00Z&interval=month")
    assert figures(month["credits"]["prepaid_liability"]["cny"]["totals"]) == moved(0, 1000, 667, 0, 333, 0)
    assert month["credits"]["prepaid_value"] == {}, "nothing unspent now"
