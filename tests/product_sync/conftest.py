"""Fixtures of the product_sync tests: two tenants on two emulator accounts, the dashboard, events, syncs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import stripe

from core.db import session_scope
from core.inbox.context import EventContext
from core.inbox.dispatch import dispatch, handlers_for
from core.runtime import Runtime
from plugins.product_sync import schemas
from plugins.product_sync.services import SyncRuns
from plugins.product_sync.sync import FullSync, PageListener
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.support.stripe_tenants import *  # noqa: F403 - alpha_key, beta_key, tenant_secrets, settings_overrides
from tests.support.tenants import tenant_block

PAGE_SIZE = 2


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block("QuickScale", ["product_sync"], product_sync={"page_size": PAGE_SIZE}),
        "beta": tenant_block("Beta App", ["product_sync"], product_sync={"schedule": False}),
    }


@dataclass
class Dashboard:
    """One account's Stripe dashboard in the emulator: changes made there emit `product.*`/`price.*` events."""

    emulator: EmulatorHandle
    key: str

    async def product(self, action: str, product_id: str | None = None, **params: Any) -> dict[str, Any]:
        return await self.emulator.control.aio.dashboard_product(self.key, action, product_id, **params)

    async def price(self, action: str, price_id: str | None = None, **params: Any) -> dict[str, Any]:
        return await self.emulator.control.aio.dashboard_price(self.key, action, price_id, **params)

    async def pack(
        self, name: str, unit_amount: int, *, currency: str = "usd", recurring: str | None = None, **metadata: str
    ) -> dict[str, Any]:
        """A product with a default price, as an operator makes one in the dashboard."""
        price: dict[str, Any] = {"currency": currency, "unit_amount": unit_amount}
        if recurring:
            price["recurring"] = {"interval": recurring}
        return await self.product("create", name=name, metadata=metadata, default_price_data=price)

    def client(self) -> stripe.StripeClient:
        return self.emulator.stripe_client(self.key)

    async def events(self) -> list[dict[str, Any]]:
        """The account's catalog events, oldest first."""
        page = await self.client().v1.events.list_async({"limit": 100})
        events = [event.to_dict() for event in page.data]
        return [e for e in reversed(events) if e["type"].startswith(("product.", "price."))]


@pytest.fixture
def alpha_dashboard(stripe_emulator: EmulatorHandle, alpha_key: str) -> Dashboard:
    return Dashboard(stripe_emulator, alpha_key)


@pytest.fixture
def beta_dashboard(stripe_emulator: EmulatorHandle, beta_key: str) -> Dashboard:
    return Dashboard(stripe_emulator, beta_key)


async def apply_event(runtime: Runtime, slug: str, event: dict[str, Any]) -> None:
    """What the inbox worker does with a verified event: every enabled handler, one transaction."""
    tenant = runtime.tenants.get(slug)
    async with session_scope(runtime.sessions) as session:
        ctx = EventContext(tenant=tenant, event=event, session=session, runtime=runtime)
        await dispatch(ctx, handlers_for(runtime, tenant, event["type"]))


async def full_sync(runtime: Runtime, slug: str, on_page: PageListener | None = None) -> schemas.SyncRun:
    tenant = runtime.tenants.get(slug)
    async with session_scope(runtime.sessions) as session:
        run = await SyncRuns(session, tenant).create("test")
    result = await FullSync(runtime, tenant, on_page=on_page).run(run.id)
    assert result is not None
    return result
