"""Full syncs against the Stripe emulator: paging, deactivation, metadata problems, races with events, tenants."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text

from core.db import session_scope
from core.lists import PageRequest
from core.runtime import Runtime
from plugins.product_sync.models import SyncedPrice, SyncedProduct
from plugins.product_sync.services import Catalog, SyncRuns
from tests.product_sync.conftest import PAGE_SIZE, Dashboard, apply_event, full_sync
from tests.support.tenants import auth


async def catalog(client: httpx.AsyncClient, tenant: str = "alpha", **params: Any) -> dict[str, Any]:
    r = await client.get(f"/t/{tenant}/v1/catalog", params=params, headers=auth(tenant))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def by_name(listing: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in listing["data"]}


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_full_sync_pages_through_every_product_and_price(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    for n in range(1, 6):
        await alpha_dashboard.pack(f"Pack {n}", n * 1000, credit_amount=str(n * 100), credit_type="payg")
    pro = await alpha_dashboard.pack("Pro", 2999, recurring="month", credit_amount="1000", plan_tier="pro")
    yearly = await alpha_dashboard.price(
        "create", product=pro["id"], currency="usd", unit_amount=29990, recurring={"interval": "year"}
    )
    old = await alpha_dashboard.price("create", product=pro["id"], currency="eur", unit_amount=2500)
    await alpha_dashboard.price("archive", old["id"])
    pages: list[tuple[str, int]] = []

    async def on_page(kind: str, count: int) -> None:
        pages.append((kind, count))

    run = await full_sync(runtime, "alpha", on_page)

    assert (run.status, run.products, run.prices, run.error) == ("succeeded", 6, 8, None)
    assert [count for kind, count in pages if kind == "products"] == [2, 2, 2], "more than one page"
    assert all(count <= PAGE_SIZE for _, count in pages)
    listing = await catalog(client)
    products = by_name(listing)
    assert sorted(products) == ["Pack 1", "Pack 2", "Pack 3", "Pack 4", "Pack 5", "Pro"]
    pack3 = products["Pack 3"]
    assert (pack3["credit_amount"], pack3["credit_type"], pack3["problems"]) == (300, "payg", [])
    [price] = pack3["prices"]
    assert (price["unit_amount"], price["currency"], price["type"]) == (3000, "usd", "one_time")
    assert price["is_default"] is True
    assert (price["credit_amount"], price["credit_type"], price["active"]) == (300, "payg", True)
    pro_prices = {p["id"]: p for p in products["Pro"]["prices"]}
    assert set(pro_prices) == {pro["default_price"], yearly["id"]}, "archived prices are not listed by default"
    assert pro_prices[yearly["id"]]["interval"] == "year"
    assert pro_prices[yearly["id"]]["plan_tier"] == "pro"
    assert listing["last_sync"]["id"] == str(run.id)
    everything = by_name(await catalog(client, include_inactive="true"))
    archived = next(p for p in everything["Pro"]["prices"] if p["id"] == old["id"])
    assert (archived["price_active"], archived["active"], archived["currency"]) == (False, False, "eur")


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_second_sync_marks_archived_inactive_and_deleted_gone(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    keep = await alpha_dashboard.pack("Keep", 500)
    archive = await alpha_dashboard.pack("Archive", 700)
    doomed = await alpha_dashboard.product("create", name="Doomed")
    spare = await alpha_dashboard.price("create", product=keep["id"], currency="usd", unit_amount=900)
    await full_sync(runtime, "alpha")
    assert sorted(by_name(await catalog(client))) == ["Archive", "Doomed", "Keep"]

    await alpha_dashboard.product("archive", archive["id"])
    await alpha_dashboard.product("delete", doomed["id"])
    await alpha_dashboard.price("delete", spare["id"])
    run = await full_sync(runtime, "alpha")

    assert (run.deactivated_products, run.deactivated_prices) == (1, 1)
    assert sorted(by_name(await catalog(client))) == ["Keep"]
    everything = by_name(await catalog(client, include_inactive="true"))
    assert (everything["Archive"]["active"], everything["Archive"]["deleted"]) == (False, False)
    assert (everything["Doomed"]["active"], everything["Doomed"]["deleted"]) == (False, True)
    assert [p["id"] for p in everything["Keep"]["prices"] if p["active"]] == [keep["default_price"]]
    async with runtime.sessions() as session:
        price = await Catalog(session, runtime.tenants.get("alpha"), None).price(spare["id"])
    assert price is not None
    assert (price.active, price.price_active) == (False, False)

    run = await full_sync(runtime, "alpha")
    assert (run.deactivated_products, run.deactivated_prices) == (0, 0), "a tombstone is not swept twice"


async def test_invalid_metadata_is_reported_per_product_and_never_stops_the_sync(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    bad = await alpha_dashboard.pack("Bad amount", 1000, credit_amount="ten", credit_type="payg")
    weird = await alpha_dashboard.pack("Weird type", 1000, credit_amount="10", credit_type="weekly")
    await alpha_dashboard.pack("Fine", 1000, credit_amount="10", credit_type="payg")
    override = await alpha_dashboard.price(
        "create", product=bad["id"], currency="usd", unit_amount=500, metadata={"credit_amount": "5"}
    )

    run = await full_sync(runtime, "alpha")

    assert (run.status, run.products, run.prices) == ("succeeded", 3, 4)
    assert sorted((p.product, p.key, p.value) for p in run.problems) == sorted(
        [(bad["id"], "credit_amount", "ten"), (weird["id"], "credit_type", "weekly")]
    )
    products = by_name(await catalog(client))
    assert [p["key"] for p in products["Bad amount"]["problems"]] == ["credit_amount"]
    assert products["Bad amount"]["credit_amount"] is None
    assert products["Fine"]["problems"] == []
    prices = {p["id"]: p for p in products["Bad amount"]["prices"]}
    assert prices[override["id"]]["credit_amount"] == 5, "a valid price override still works"
    assert prices[bad["default_price"]]["credit_amount"] is None
    async with runtime.sessions() as session:
        payg = await Catalog(session, runtime.tenants.get("alpha"), None).payg_prices()
    assert sorted(p.product_name for p in payg if p.product_name) == ["Bad amount", "Fine"]
    assert {p.id for p in payg} >= {override["id"]}
    assert bad["default_price"] not in {p.id for p in payg}


async def test_unknown_tiers_are_reported_against_the_subscriptions_tiers(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    await alpha_dashboard.pack("Pro", 2999, recurring="month", credit_amount="1000", plan_tier="pro")
    gold = await alpha_dashboard.pack("Gold", 4999, recurring="month", credit_amount="5000", plan_tier="gold")
    await full_sync(runtime, "alpha")
    configured = runtime.tenants.get("alpha")
    # The tiers the plans sell (the subscriptions plugin's answer to `tollgate_plan_tiers`), given by hand.
    async with runtime.sessions() as session:
        catalog_ = Catalog(session, configured, frozenset({"basic", "pro"}))
        problems = await catalog_.problems()
        pro = await catalog_.prices_for_tier("pro", "month")
        gold_prices = await catalog_.prices_for_tier("gold")
        untiered = await Catalog(session, configured, None).prices_for_tier("gold")
    assert [(p.product, p.key, p.value) for p in problems] == [(gold["id"], "plan_tier", "gold")]
    assert [p.unit_amount for p in pro] == [2999]
    assert gold_prices == []
    assert [p.unit_amount for p in untiered] == [4999], "without configured tiers any tier is taken"


async def test_a_sync_that_read_older_data_never_overwrites_what_an_event_applied(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    """Each first page is read, then the dashboard changes and its events are applied, then the page is stored."""
    first = await alpha_dashboard.pack("First", 1000, credit_amount="100", credit_type="payg")
    second = await alpha_dashboard.pack("Second", 2000, credit_amount="200", credit_type="payg")
    brief = await alpha_dashboard.product("create", name="Brief")
    applied = len(await alpha_dashboard.events())
    interfered: set[str] = set()

    async def meanwhile(kind: str, count: int) -> None:
        nonlocal applied
        if kind in interfered:
            return
        interfered.add(kind)
        if kind == "products":
            await alpha_dashboard.product("update", second["id"], name="Second v2", metadata={"credit_amount": "250"})
            await alpha_dashboard.product("delete", brief["id"])
        else:
            await alpha_dashboard.price("archive", first["default_price"])
        events = await alpha_dashboard.events()
        for event in events[applied:]:
            await apply_event(runtime, "alpha", event)
        applied = len(events)

    run = await full_sync(runtime, "alpha", meanwhile)

    assert run.status == "succeeded"
    # Brief and Second from the first product page, First's price from the first price page.
    assert run.stale_skipped == 3
    listing = by_name(await catalog(client, include_inactive="true"))
    assert sorted(listing) == ["Brief", "First", "Second v2"]
    assert listing["Second v2"]["credit_amount"] == 250, "the event's newer state survived the stale page"
    assert (listing["Brief"]["deleted"], listing["Brief"]["active"]) == (True, False), "a stale read cannot revive it"
    [first_price] = listing["First"]["prices"]
    assert first_price["price_active"] is False, "the archived price stayed archived"
    again = await full_sync(runtime, "alpha")
    assert (again.stale_skipped, again.deactivated_products, again.deactivated_prices) == (0, 0, 0)
    assert by_name(await catalog(client, include_inactive="true")) == listing


async def test_two_tenants_on_two_accounts_never_see_each_other(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard, beta_dashboard: Dashboard
) -> None:
    alpha_pack = await alpha_dashboard.pack("Alpha Pack", 1000, credit_amount="100", credit_type="payg")
    beta_pack = await beta_dashboard.pack("Beta Pack", 800, credit_amount="80", credit_type="payg")
    await full_sync(runtime, "alpha")
    await full_sync(runtime, "beta")

    assert list(by_name(await catalog(client, "alpha"))) == ["Alpha Pack"]
    assert list(by_name(await catalog(client, "beta"))) == ["Beta Pack"]
    r = await client.get("/t/beta/v1/catalog", headers=auth("alpha"))
    assert r.status_code == 401
    async with runtime.sessions() as session:
        alpha = Catalog(session, runtime.tenants.get("alpha"), None)
        assert await alpha.price(beta_pack["default_price"]) is None
        assert [p.id for p in await alpha.payg_prices()] == [alpha_pack["default_price"]]
        runs = (await SyncRuns(session, runtime.tenants.get("beta")).page(PageRequest(limit=10))).data
    assert len(runs) == 1, "each tenant sees its own runs"

    await alpha_dashboard.product("archive", alpha_pack["id"])
    await full_sync(runtime, "beta")
    assert list(by_name(await catalog(client, "alpha"))) == ["Alpha Pack"], "beta's sync never touches alpha"
    await full_sync(runtime, "alpha")
    assert list(by_name(await catalog(client, "alpha"))) == []
    assert list(by_name(await catalog(client, "beta"))) == ["Beta Pack"]


async def test_a_failed_stripe_call_fails_the_run_and_keeps_the_catalog(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard, stripe_emulator: Any, alpha_key: str
) -> None:
    await alpha_dashboard.pack("Stays", 1000)
    await full_sync(runtime, "alpha")
    await stripe_emulator.control.aio.fail_next(alpha_key, 5, status=500, path_prefix="/v1/prices")

    run = await full_sync(runtime, "alpha")

    assert run.status == "failed"
    assert "APIError" in (run.error or "")
    assert (run.deactivated_products, run.deactivated_prices) == (0, 0), "no sweep after an incomplete run"
    assert list(by_name(await catalog(client))) == ["Stays"]
    async with session_scope(runtime.sessions) as session:
        prices = (await session.execute(select(SyncedPrice))).scalars().all()
    assert [p.deleted for p in prices] == [False]


WAITING_ON_LOCKS = (
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
)


@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
async def test_a_page_that_deadlocks_with_another_writer_is_stored_again(
    runtime: Runtime, client: httpx.AsyncClient, alpha_dashboard: Dashboard
) -> None:
    """Found in the deployed demo: a sync page and a webhook's batch locked the same products in opposite
    orders, PostgreSQL chose the page as the deadlock's victim, and the whole run failed."""
    for name in ("Low", "High"):
        await alpha_dashboard.pack(name, 1000, credit_amount="100", credit_type="payg")
    await full_sync(runtime, "alpha")
    async with session_scope(runtime.sessions) as session:
        ids = sorted((await session.execute(select(SyncedProduct.stripe_product_id))).scalars().all())
    low, high = ids[0], ids[-1]
    lock = "SELECT 1 FROM product_sync_products WHERE tenant_id = 'alpha' AND stripe_product_id = :id FOR UPDATE"
    other = await runtime.engine.connect()
    interferer: asyncio.Task[None] | None = None

    async def deadlock_once() -> None:
        # The page holds one row and waits for `high`; this transaction then asks for the page's row.
        async with runtime.engine.connect() as watcher:
            for _ in range(500):
                waiting = await watcher.scalar(text(WAITING_ON_LOCKS))
                if waiting:
                    break
                await asyncio.sleep(0.01)
        await other.execute(text(lock), {"id": low})
        await other.commit()

    async def on_page(kind: str, count: int) -> None:
        nonlocal interferer
        if kind == "products" and interferer is None:
            await other.execute(text(lock), {"id": high})
            interferer = asyncio.create_task(deadlock_once())

    try:
        run = await full_sync(runtime, "alpha", on_page)
        assert interferer is not None
        await interferer
    finally:
        await other.close()

    assert (run.status, run.error, run.products) == ("succeeded", None, 2), run.error
