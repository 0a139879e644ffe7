"""creditshop (seed 004) and fiko (seed 002) end to end: the app on a real port, the tenant apps calling
its API, customers paying in the Stripe emulator, and Stripe's signed webhooks reaching the app.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from core import clock
from core.app import create_app
from core.ledger.tasks import expire_credits
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.tenants import WEBHOOK_SECRETS, auth


class Tollgate:
    """The live app as a tenant app sees it, and Stripe's side through the emulator."""

    def __init__(self, http: httpx.AsyncClient, runtime: Runtime, emulator: EmulatorHandle, keys: dict[str, str]):
        self.http, self.runtime, self.emulator, self.keys = http, runtime, emulator, keys

    async def call(self, method: str, slug: str, path: str, scope: str = "service", **kwargs: Any) -> Any:
        r = await self.http.request(method, f"/t/{slug}/v1{path}", headers=auth(slug, scope), **kwargs)
        assert r.status_code < 300, r.text
        return r.json()

    async def webhooks_done(self, slug: str) -> None:
        """Stripe delivered every event to the app, and the app processed each."""
        await self.emulator.control.aio.settle(self.keys[slug], timeout=10)
        await drain(self.runtime)

    async def pay(self, slug: str, order: dict[str, Any], **complete: Any) -> dict[str, Any]:
        await self.emulator.control.aio.complete_checkout(self.keys[slug], order["checkout_session_id"], **complete)
        await self.webhooks_done(slug)
        return dict(await self.call("GET", slug, f"/customers/cust-1/orders/{order['id']}"))

    async def balance(self, slug: str) -> int:
        return int((await self.call("GET", slug, "/customers/cust-1/balance"))["balance"])


@pytest.fixture
async def tollgate(
    runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str, beta_key: str
) -> AsyncIterator[Tollgate]:
    async with live_server(create_app(runtime)) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
        keys = {"alpha": alpha_key, "beta": beta_key}
        for slug, key in keys.items():
            await stripe_emulator.control.aio.register_webhook(
                key, f"{base}/t/{slug}/webhooks/stripe", secret=WEBHOOK_SECRETS[slug]
            )
        app = Tollgate(http, runtime, stripe_emulator, keys)
        yield app
        for slug in keys:
            await app.webhooks_done(slug)


async def test_creditshop_sells_cny_packs_refunds_part_and_credits_expire(tollgate: Tollgate) -> None:
    await tollgate.call("PUT", "alpha", "/customers/cust-1", json={"email": "li@example.cn"})
    catalog = await tollgate.call("GET", "alpha", "/packages?currency=cny")
    standard = next(p for p in catalog["data"] if p["id"] == "standard")
    assert (standard["name"], standard["total_credits"], standard["prices"][0]["display_amount"]) == (
        "标准包",
        1100,
        "100.00",
    )

    order = await tollgate.call(
        "POST", "alpha", "/customers/cust-1/orders", json={"package": "standard", "success_url": "https://cs.cn/ok"}
    )
    assert (order["status"], order["amount"], order["currency"], order["credits"]) == ("pending", 10000, "cny", 1100)
    order = await tollgate.pay("alpha", order)
    assert (order["status"], order["credits_granted"]) == ("succeeded", 1100)
    assert await tollgate.balance("alpha") == 1100

    await tollgate.call("POST", "alpha", "/customers/cust-1/spend", json={"credits": 300, "reason": "generation"})
    refund = await tollgate.call(
        "POST", "alpha", f"/orders/{order['id']}/refund", "admin", json={"amount": 5000, "reason": "部分退款"}
    )
    assert (refund["amount"], refund["credits_clawed_back"], refund["credits_from_grant"]) == (5000, 550, 550)
    await tollgate.webhooks_done("alpha")  # charge.refunded and friends: nothing counted twice
    order = await tollgate.call("GET", "alpha", f"/customers/cust-1/orders/{order['id']}")
    assert (order["status"], order["amount_refunded"], len(order["refunds"])) == ("partially_refunded", 5000, 1)
    assert await tollgate.balance("alpha") == 250

    # The operator's financial overview: money per currency, credits by where they went.
    figures = (await tollgate.call("GET", "alpha", "/admin/figures", "admin"))["figures"]
    assert figures["token_packages"]["revenue"] == {"cny": 10000}
    assert figures["token_packages"]["refunded"] == {"cny": 5000}
    assert figures["token_packages"]["net"] == {"cny": 5000}
    assert (figures["token_packages"]["credits_sold"], figures["token_packages"]["credits_clawed_back"]) == (1100, 550)
    assert figures["core.ledger"]["credits_issued"] == 1100
    assert figures["core.ledger"]["movements"]["spend"] == {"credits": -300, "entries": 1}
    assert figures["core.ledger"]["outstanding"]["balance"] == 250

    # Six months after the payment the rest of the purchase expires.
    clock.advance(dt.timedelta(days=183))
    assert await expire_credits(tollgate.runtime) >= 1
    assert await tollgate.balance("alpha") == 0
    entries = (await tollgate.call("GET", "alpha", "/customers/cust-1/ledger"))["data"]
    assert [(e["kind"], e["credits"]) for e in entries] == [
        ("expire", -250),
        ("clawback", -550),
        ("spend", -300),
        ("grant", 1100),
    ]


async def test_fiko_promotion_code_on_a_recurring_pack_and_a_one_time_pack_in_euros(tollgate: Tollgate) -> None:
    # Stripe delivers every event twice, a few at a time in any order.
    await tollgate.emulator.control.aio.set_webhook_faults(
        tollgate.keys["beta"], duplicates=2, shuffle_window=4, seed=3
    )
    stripe_client = tollgate.emulator.stripe_client(tollgate.keys["beta"])
    coupon = await stripe_client.v1.coupons.create_async({"percent_off": 50, "duration": "once"})
    await stripe_client.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": "WELCOME50"}
    )
    await tollgate.call("PUT", "beta", "/customers/cust-1", json={"email": "ana@fiko.example"})

    monthly = await tollgate.call(
        "POST",
        "beta",
        "/customers/cust-1/orders",
        json={
            "package": "tokens-100k",
            "currency": "usd",
            "promotion_code": "WELCOME50",
            "success_url": "https://fiko.example/ok",
        },
    )
    monthly = await tollgate.pay("beta", monthly)
    assert (monthly["status"], monthly["amount_paid"], monthly["credits_granted"]) == ("succeeded", 1000, 100_000)

    # The next month renews at full price and grants again.
    await tollgate.emulator.control.aio.advance_subscription(tollgate.keys["beta"], monthly["subscription_id"])
    await tollgate.webhooks_done("beta")
    monthly = await tollgate.call("GET", "beta", f"/customers/cust-1/orders/{monthly['id']}")
    assert [p["amount"] for p in monthly["payments"]] == [1000, 2000]
    assert monthly["credits_granted"] == 200_000

    tokens = await tollgate.call(
        "POST",
        "beta",
        "/customers/cust-1/orders",
        json={"package": "tokens-1k", "currency": "eur", "success_url": "https://fiko.example/ok"},
    )
    tokens = await tollgate.pay("beta", tokens)
    assert (tokens["status"], tokens["currency"], tokens["amount_paid"]) == ("succeeded", "eur", 450)
    assert await tollgate.balance("beta") == 201_000
    listed = await tollgate.call("GET", "beta", "/customers/cust-1/orders")
    assert [o["package"] for o in listed["data"]] == ["tokens-1k", "tokens-100k"]
