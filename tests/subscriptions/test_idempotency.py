"""Idempotency-Key on the subscription routes that take money: checkout, plan change, cancellation.

A repeat with the same key gets the first answer byte for byte and its status, and Stripe is not
asked again (a fault armed on Stripe would fail a second call); the same key with another request
is 409 `idempotency_key_reused`; a retry whose first attempt never committed asks Stripe under the
same derived key and gets the first object back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from core.db import rollback
from core.idempotency.models import IdempotencyRecord
from core.runtime import Runtime
from plugins.subscriptions import schemas
from plugins.subscriptions.models import SubscriptionCheckout
from plugins.subscriptions.services import SubscriptionService
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import Shop, create_customer
from tests.support.tenants import auth

CHECKOUT = "/t/alpha/v1/customers/cust-1/checkout/subscription"
SUBSCRIPTION = "/t/alpha/v1/customers/cust-1/subscription"
BODY = {"tier": "basic", "success_url": "https://app.example/ok"}


def keyed(key: str, tenant: str = "alpha") -> dict[str, str]:
    return {**auth(tenant), "Idempotency-Key": key}


async def count(runtime: Runtime, model: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_a_repeated_checkout_gets_the_first_session_and_stripe_is_asked_once(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, alpha_prices: dict[str, str]
) -> None:
    await create_customer(client, "cust-1")
    first = await client.post(CHECKOUT, json=BODY, headers=keyed("checkout-1"))
    assert first.status_code == 201, first.text
    stripe_emulator.control.fail_next(alpha_key, 5, status=500, path_prefix="/v1/checkout")
    again = await client.post(
        CHECKOUT, json={"success_url": BODY["success_url"], "tier": "basic"}, headers=keyed("checkout-1")
    )
    stripe_emulator.control.clear_faults(alpha_key)
    assert (again.status_code, again.content) == (201, first.content), "the same answer, byte for byte"
    assert await count(runtime, SubscriptionCheckout) == 1
    assert await count(runtime, IdempotencyRecord) == 1

    other = await client.post(CHECKOUT, json={**BODY, "interval": "year"}, headers=keyed("checkout-1"))
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    elsewhere = await client.post(CHECKOUT.replace("cust-1", "cust-2"), json=BODY, headers=keyed("checkout-1"))
    assert (elsewhere.status_code, elsewhere.json()["error"]["code"]) == (409, "idempotency_key_reused")
    bad = await client.post(CHECKOUT, json=BODY, headers=keyed("with space"))
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "invalid_idempotency_key")
    # Another tenant's key space is its own; without a key every request is new.
    assert await count(runtime, SubscriptionCheckout) == 1


async def test_a_refused_request_keeps_nothing_and_its_key_stays_unused(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, alpha_prices: dict[str, str]
) -> None:
    await create_customer(client, "cust-1")
    stripe_emulator.control.fail_next(alpha_key, 5, status=500, path_prefix="/v1/checkout")
    failed = await client.post(CHECKOUT, json=BODY, headers=keyed("checkout-2"))
    stripe_emulator.control.clear_faults(alpha_key)
    assert failed.status_code == 502, failed.text
    assert (await count(runtime, IdempotencyRecord), await count(runtime, SubscriptionCheckout)) == (0, 0)
    retried = await client.post(CHECKOUT, json=BODY, headers=keyed("checkout-2"))
    assert retried.status_code == 201, retried.text


async def test_a_retry_after_a_lost_commit_gets_stripes_first_session(
    client: Any, runtime: Runtime, alpha_prices: dict[str, str]
) -> None:
    await create_customer(client, "cust-1")
    data = schemas.CheckoutCreate(tier="basic", success_url=BODY["success_url"])
    tenant = runtime.tenants.get("alpha")
    sessions = []
    for _ in range(2):
        async with runtime.sessions() as session:
            made = await SubscriptionService(session, tenant, runtime).checkout("cust-1", data, idempotency_key="lost")
            sessions.append(made.session_id)
            await rollback(session)  # the process died before the commit
    assert sessions[0] == sessions[1], "Stripe was asked under the same key and answered its first session"


async def test_a_repeated_plan_change_or_cancellation_is_answered_once(
    shop: Shop, alpha_prices: dict[str, str]
) -> None:
    await create_customer(shop.http, "cust-1")
    await shop.subscribe("cust-1", "basic")
    change = await shop.http.patch(SUBSCRIPTION, json={"tier": "premium"}, headers=keyed("change-1"))
    assert change.status_code == 200, change.text
    shop.emulator.control.fail_next(shop.key, 5, status=500, path_prefix="/v1/subscriptions")
    again = await shop.http.patch(SUBSCRIPTION, json={"tier": "premium"}, headers=keyed("change-1"))
    shop.emulator.control.clear_faults(shop.key)
    assert (again.status_code, again.content) == (200, change.content)
    other = await shop.http.patch(SUBSCRIPTION, json={"tier": "basic"}, headers=keyed("change-1"))
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    await shop.settle()

    cancel = await shop.http.delete(SUBSCRIPTION, headers=keyed("cancel-1"))
    assert cancel.status_code == 200, cancel.text
    shop.emulator.control.fail_next(shop.key, 5, status=500, path_prefix="/v1/subscriptions")
    repeat = await shop.http.delete(SUBSCRIPTION, headers=keyed("cancel-1"))
    shop.emulator.control.clear_faults(shop.key)
    assert (repeat.status_code, repeat.content) == (200, cancel.content)
    now = await shop.http.delete(SUBSCRIPTION, params={"at_period_end": "false"}, headers=keyed("cancel-1"))
    assert (now.status_code, now.json()["error"]["code"]) == (409, "idempotency_key_reused")
