"""Fixtures of the export and erasure tests: recovery's shop (subscriptions, token packages and payg on one
tenant, on its own emulator account, the app live as its webhook endpoint), and a customer with some of
everything: a subscription, a pack bought and refunded, payg credits, grants, spends, holds and notices."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import metadata
from core.runtime import Runtime
from tests.recovery.conftest import (  # noqa: F401 - fixtures
    Store,
    alpha_key,
    alpha_prices,
    priced_tiers,
    settings_overrides,
    store,
    tenant_secrets,
    tenants_config,
)
from tests.support.tenants import auth

CUSTOMER, EMAIL = "privacy-cust-7f3a", "erase-me-7f3a@example.com"
OTHER, OTHER_EMAIL = "keep-cust-7f3a", "keep-me-7f3a@example.com"


async def register(store: Store, customer: str, email: str, tenant: str = "alpha") -> None:
    body = {"email": email, "name": "Ada Privacy", "metadata": {"crm": f"ref-{customer}"}}
    r = await store.http.put(f"/t/{tenant}/v1/customers/{customer}", json=body, headers=auth(tenant))
    assert r.status_code == 201, r.text


async def ledger_activity(store: Store, customer: str, email: str, tenant: str = "alpha") -> None:
    """An admin grant, a keyed spend, a hold captured and one left active: rows with the customer's words."""
    base = f"/t/{tenant}/v1/customers/{customer}"
    admin, service = auth(tenant, "admin"), auth(tenant)
    calls = [
        ("/grants", {"credits": 50, "reason": f"goodwill for {email}", "reference": f"{customer}:welcome"}, admin),
        ("/spend", {"credits": 10, "reason": f"generation for {email}", "metadata": {"who": customer}}, service),
    ]
    for path, body, headers in calls:
        keyed = {**headers, "Idempotency-Key": f"{path[1:]}-{customer}-1"}
        r = await store.http.post(base + path, json=body, headers=keyed)
        assert r.status_code in (200, 201), r.text
    holds = []
    for amount in (5, 3):
        r = await store.http.post(
            base + "/holds", json={"credits": amount, "reason": f"job of {email}"}, headers=service
        )
        assert r.status_code == 201, r.text
        holds.append(r.json()["id"])
    r = await store.http.post(f"{base}/holds/{holds[0]}/capture", json={"credits": 4}, headers=service)
    assert r.status_code == 200, r.text


async def shopper(store: Store, customer: str, email: str, *, subscribe: bool = True) -> None:
    """The customer buys everything alpha sells, has a pack refunded, and uses the ledger."""
    await register(store, customer, email)
    if subscribe:
        await store.subscribe(customer)
    order = await store.buy_pack(customer, "trial")
    await store.call("POST", f"/orders/{order}/refund", 201, scope="admin", json={"reason": f"asked by {email}"})
    await store.buy_payg(customer, 300)
    await ledger_activity(store, customer, email)
    await store.settle()


async def every_value(runtime: Runtime) -> list[tuple[str, str]]:
    """Every stored value of every table, as text: (table, value)."""
    found: list[tuple[str, str]] = []
    async with runtime.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).all():
                for value in row:
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    found.append((table.name, text))
    return found


async def mentions(runtime: Runtime, *needles: str) -> list[tuple[str, str]]:
    """Each (table, needle) where some stored value holds the needle (any case)."""
    values = await every_value(runtime)
    return sorted({(table, n) for table, text in values for n in needles if n.lower() in text.lower()})


async def figures(store: Store, tenant: str = "alpha") -> Any:
    r = await store.http.get(f"/t/{tenant}/v1/admin/figures", headers=auth(tenant, "admin"))
    assert r.status_code == 200, r.text
    return r.json()


async def metrics(store: Store, since: str, until: str, tenant: str = "alpha") -> Any:
    """The tenant's analytics over a fixed window, by day, but for the Stripe event counts (an erasure
    adds Stripe's `customer.deleted`), which the caller compares on their own."""
    params = {"since": since, "until": until, "interval": "day"}
    r = await store.http.get(f"/t/{tenant}/v1/admin/metrics", params=params, headers=auth(tenant, "admin"))
    assert r.status_code == 200, r.text
    answer = r.json()
    answer.pop("operations")
    return answer
