"""`product.*` and `price.*` events keep the mirror current, whatever order and however often they arrive."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from core import clock
from core.db import session_scope
from core.runtime import Runtime
from plugins.product_sync.services import Catalog, CatalogMirror
from tests.product_sync.conftest import Dashboard, apply_event


async def catalog_of(runtime: Runtime, slug: str = "alpha") -> dict[str, Any]:
    async with runtime.sessions() as session:
        listing = await Catalog(session, runtime.tenants.get(slug), None).listing(include_inactive=True)
    return {p.id: p for p in listing.data}


async def apply_all(runtime: Runtime, events: list[dict[str, Any]]) -> None:
    for event in events:
        await apply_event(runtime, "alpha", event)


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_events_alone_build_and_update_the_catalog(runtime: Runtime, alpha_dashboard: Dashboard) -> None:
    pack = await alpha_dashboard.pack("Starter", 1000, credit_amount="100", credit_type="payg")
    await alpha_dashboard.product("update", pack["id"], metadata={"credit_amount": "120"})
    await apply_all(runtime, await alpha_dashboard.events())

    [product] = (await catalog_of(runtime)).values()
    assert (product.name, product.credit_amount, product.default_price) == ("Starter", 120, pack["default_price"])
    async with runtime.sessions() as session:
        price = await Catalog(session, runtime.tenants.get("alpha"), None).price(pack["default_price"])
    assert price is not None
    assert (price.unit_amount, price.credit_amount, price.credit_type, price.active) == (1000, 120, "payg", True)
    assert await catalog_of(runtime, "beta") == {}, "another tenant's catalog stays empty"


async def test_an_older_update_arriving_after_a_newer_one_changes_nothing(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    product = await alpha_dashboard.product("create", name="v1")
    await alpha_dashboard.product("update", product["id"], name="v2")
    await alpha_dashboard.product("update", product["id"], name="v3", metadata={"credit_amount": "3"})
    created, to_v2, to_v3 = await alpha_dashboard.events()

    await apply_all(runtime, [to_v3, created, to_v2, to_v3])

    stored = (await catalog_of(runtime))[product["id"]]
    assert (stored.name, stored.credit_amount) == ("v3", 3)


async def test_a_deleted_product_or_price_is_not_revived_by_a_late_update(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    product = await alpha_dashboard.product("create", name="Short-lived")
    price = await alpha_dashboard.price("create", product=product["id"], currency="usd", unit_amount=100)
    await alpha_dashboard.price("update", price["id"], nickname="renamed")
    await alpha_dashboard.price("delete", price["id"])
    await alpha_dashboard.product("update", product["id"], name="Renamed")
    await alpha_dashboard.product("delete", product["id"])
    events = {e["type"]: e for e in await alpha_dashboard.events()}

    await apply_all(runtime, [events["product.deleted"], events["price.deleted"]])
    await apply_all(runtime, [events["price.updated"], events["product.updated"], events["product.created"]])
    await apply_all(runtime, [events["price.created"]])

    stored = (await catalog_of(runtime))[product["id"]]
    assert (stored.deleted, stored.active) == (True, False)
    async with runtime.sessions() as session:
        gone = await Catalog(session, runtime.tenants.get("alpha"), None).price(price["id"])
    assert gone is not None
    assert (gone.price_active, gone.active) == (False, False)


async def test_a_price_event_before_its_product_brings_the_product_along(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    pack = await alpha_dashboard.pack("Bundle", 4500, credit_amount="500", credit_type="payg", feature_flags="hd,fast")
    price_created = next(e for e in await alpha_dashboard.events() if e["type"] == "price.created")

    await apply_event(runtime, "alpha", price_created)

    async with runtime.sessions() as session:
        catalog = Catalog(session, runtime.tenants.get("alpha"), None)
        [payg] = await catalog.payg_prices("USD")
        flags = await catalog.feature_flags([pack["default_price"], "price_unknown"])
    assert (payg.id, payg.product_name, payg.credit_amount, payg.unit_amount) == (
        pack["default_price"],
        "Bundle",
        500,
        4500,
    )
    assert flags == ["hd", "fast"]


async def test_duplicated_events_apply_once_and_leave_the_same_state(
    runtime: Runtime, alpha_dashboard: Dashboard
) -> None:
    await alpha_dashboard.pack("Twice", 700, credit_amount="70")
    events = await alpha_dashboard.events()
    await apply_all(runtime, events + events)
    first = await catalog_of(runtime)
    await apply_all(runtime, events)
    assert await catalog_of(runtime) == first


async def test_the_mirror_keeps_the_newest_observation_whatever_order_writes_land_in(runtime: Runtime) -> None:
    tenant = runtime.tenants.get("alpha")
    now = clock.now()
    older = {"id": "prod_x", "name": "old", "active": True, "metadata": {}, "created": 100, "updated": 100}
    newer = older | {"name": "new", "updated": 200}
    async with session_scope(runtime.sessions) as session:
        mirror = CatalogMirror(session, tenant)
        assert await mirror.observe_product(newer, now)
        assert not await mirror.observe_product(older, now + dt.timedelta(seconds=1)), "Stripe's updated went back"
        assert not await mirror.observe_product(newer | {"name": "late read"}, now - dt.timedelta(seconds=1))
        assert await mirror.product_gone(newer, now + dt.timedelta(seconds=2))
        assert not await mirror.observe_product(newer, now + dt.timedelta(seconds=1)), "read before it was gone"
    stored = (await catalog_of(runtime))["prod_x"]
    assert (stored.name, stored.deleted, stored.updated) == ("new", True, 200)
