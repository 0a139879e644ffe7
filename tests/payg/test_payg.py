"""Pay-as-you-go: settings, prices, purchases against the Stripe emulator, and the payment events."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import stripe
from sqlalchemy import func, select

from core.db import rollback
from core.errors import SettingsError
from core.idempotency.models import IdempotencyRecord
from core.ledger.models import CreditGrant
from plugins.payg import schemas
from plugins.payg.models import CreditPurchase
from plugins.payg.services import PurchaseService
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.payg.conftest import PAYG, apply_event
from tests.support.tenants import auth, tenant_block, user_auth

BASE = "/t/alpha/v1/customers/buyer/credit-purchases"


@pytest.fixture
async def buyer(client: Any) -> str:
    r = await client.put("/t/alpha/v1/customers/buyer", json={"email": "b@example.com"}, headers=auth("alpha"))
    assert r.status_code == 201
    return "buyer"


def sdk(stripe_emulator: EmulatorHandle, key: str) -> stripe.StripeClient:
    return stripe_emulator.stripe_client(key)


async def events_of(client: stripe.StripeClient, event_type: str) -> list[dict[str, Any]]:
    page = await client.v1.events.list_async({"limit": 100, "type": event_type})
    return [e.to_dict() for e in page.data]


async def idempotency_records(runtime: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0)


async def purchases(runtime: Any) -> int:
    async with runtime.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(CreditPurchase)) or 0)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ({**PAYG, "min_credits": 20_000}, "min_credits is above max_credits"),
        ({**PAYG, "prices": {"USD": {"unit_amount": 1}}}, "prices"),
        ({**PAYG, "prices": {"usd": {"unit_amount": 0}}}, "unit_amount"),
        ({**PAYG, "expires_in_days": "six months"}, "expires_in_days"),
        ({**PAYG, "surprise": True}, "surprise"),
    ],
)
def test_settings_are_validated(make_runtime: Any, block: dict[str, Any], message: str) -> None:
    tenants = {"alpha": tenant_block("Automate", ["payg"], payg=block)}
    with pytest.raises(SettingsError, match=rf"tenants\.alpha\.payg: .*{message}"):
        make_runtime(tenants=tenants)


def test_the_block_is_required(make_runtime: Any) -> None:
    with pytest.raises(SettingsError, match=r"tenants\.alpha\.payg is required"):
        make_runtime(tenants={"alpha": tenant_block("Automate", ["payg"])})


async def test_credit_prices(client: Any, buyer: str) -> None:
    r = await client.get("/t/alpha/v1/credit-prices", headers=auth("alpha"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["prices"] == [
        {"currency": "eur", "unit_amount": 3, "credits": 2},
        {"currency": "usd", "unit_amount": 100, "credits": 100},
    ]
    assert body["packs"] == [
        {
            "price": "starter",
            "name": "Starter",
            "currency": "usd",
            "unit_amount": 500,
            "credits": 600,
            "source": "settings",
        }
    ]
    assert (body["min_credits"], body["max_credits"], body["expires_in_days"]) == (50, 10_000, 180)
    # An end user may read the price list; a tenant without payg gets 404.
    assert (await client.get("/t/alpha/v1/credit-prices", headers=user_auth("alpha", buyer))).status_code == 200
    r = await client.get("/t/beta/v1/credit-prices", headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")


async def test_purchase_creates_a_payment_intent(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    r = await client.post(BASE, json={"credits": 250, "currency": "usd"}, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    purchase = r.json()
    assert (purchase["status"], purchase["credits"], purchase["amount"], purchase["currency"]) == (
        "pending",
        250,
        250,
        "usd",
    )
    assert purchase["client_secret"].startswith(purchase["payment_intent_id"])
    stripe_client = sdk(stripe_emulator, alpha_key)
    intent = await stripe_client.v1.payment_intents.retrieve_async(purchase["payment_intent_id"])
    assert (intent.amount, intent.currency, intent.status) == (250, "usd", "requires_payment_method")
    assert intent.metadata["tollgate_purchase"] == purchase["id"]
    customer = (await client.get("/t/alpha/v1/customers/buyer", headers=auth("alpha"))).json()
    assert intent.customer == customer["stripe_customer_id"]
    created = await events_of(stripe_client, "payment_intent.created")
    assert [e["request"]["idempotency_key"] for e in created] == [f"tollgate:credit_purchase:{purchase['id']}"]
    # The status route never shows the client secret again.
    read = await client.get(f"{BASE}/{purchase['id']}", headers=auth("alpha"))
    assert (read.status_code, read.json()["status"], read.json()["client_secret"]) == (200, "pending", None)


async def test_purchase_by_price_and_quantity_and_rounding(client: Any, buyer: str) -> None:
    r = await client.post(BASE, json={"price": "starter", "quantity": 3}, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    assert (r.json()["credits"], r.json()["amount"], r.json()["quantity"]) == (1800, 1500, 3)
    # 3 cents buy 2 credits: 101 credits cost 151.5 cents, charged 152 (never undercharged).
    r = await client.post(BASE, json={"credits": 101, "currency": "eur"}, headers=auth("alpha"))
    assert (r.status_code, r.json()["amount"]) == (201, 152)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"credits": 100}, "currency_required"),
        ({"credits": 100, "currency": "gbp"}, "unsupported_currency"),
        ({"credits": 49, "currency": "usd"}, "credits_out_of_range"),
        ({"credits": 10_001, "currency": "usd"}, "credits_out_of_range"),
        ({"price": "starter", "quantity": 6}, "quantity_out_of_range"),
        ({"price": "starter", "currency": "eur"}, "currency_mismatch"),
        ({"price": "price_unknown"}, "unknown_price"),
        ({"credits": 100, "currency": "usd", "price": "starter"}, "invalid_purchase"),
        ({"credits": 100, "currency": "usd", "quantity": 2}, "invalid_purchase"),
        ({}, "invalid_purchase"),
        ({"credits": 0, "currency": "usd"}, "validation_error"),
        ({"credits": -1, "currency": "usd"}, "validation_error"),
        ({"credits": 100, "currency": "USD"}, "validation_error"),
    ],
)
async def test_bad_purchases_are_400_and_write_nothing(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str, body: Any, code: str
) -> None:
    r = await client.post(BASE, json=body, headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (400, code), r.text
    assert await purchases(runtime) == 0
    assert await events_of(sdk(stripe_emulator, alpha_key), "payment_intent.created") == []


async def test_purchase_errors_for_customers(client: Any, runtime: Any, buyer: str) -> None:
    r = await client.post(
        "/t/alpha/v1/customers/ghost/credit-purchases", json={"credits": 100, "currency": "usd"}, headers=auth("alpha")
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "customer_not_found")
    r = await client.post(BASE, json={"credits": 100, "currency": "usd"}, headers=user_auth("alpha", "someone-else"))
    assert r.status_code == 404
    r = await client.get(f"{BASE}/not-an-id", headers=auth("alpha"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "purchase_not_found")
    r = await client.post("/t/beta/v1/customers/buyer/credit-purchases", json={"credits": 100}, headers=auth("beta"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "plugin_not_enabled")
    assert await purchases(runtime) == 0


async def test_a_repeated_purchase_gets_the_first_answer_and_one_payment_intent(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    headers = {"Idempotency-Key": "buy-1", **auth("alpha")}
    first = await client.post(BASE, json={"credits": 100, "currency": "usd"}, headers=headers)
    assert first.status_code == 201, first.text
    # Stripe is not asked again: a fault armed on it would fail a second call.
    stripe_emulator.control.fail_next(alpha_key, 5, status=500, path_prefix="/v1/payment_intents")
    again = await client.post(BASE, json={"currency": "usd", "credits": 100}, headers=headers)
    stripe_emulator.control.clear_faults(alpha_key)
    assert (again.status_code, again.content) == (201, first.content), "the first answer, byte for byte"
    other = await client.post(BASE, json={"credits": 200, "currency": "usd"}, headers=headers)
    assert (other.status_code, other.json()["error"]["code"]) == (409, "idempotency_key_reused")
    assert await purchases(runtime) == 1
    created = await events_of(sdk(stripe_emulator, alpha_key), "payment_intent.created")
    assert [e["data"]["object"]["id"] for e in created] == [first.json()["payment_intent_id"]]


async def test_a_refused_purchase_keeps_nothing_and_its_key_stays_unused(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    headers = {"Idempotency-Key": "buy-2", **auth("alpha")}
    stripe_emulator.control.fail_next(alpha_key, 5, status=500, path_prefix="/v1/payment_intents")
    failed = await client.post(BASE, json={"credits": 100, "currency": "usd"}, headers=headers)
    stripe_emulator.control.clear_faults(alpha_key)
    assert (failed.status_code, failed.json()["error"]["code"]) == (502, "stripe_error")
    assert (await purchases(runtime), await idempotency_records(runtime)) == (0, 0)
    retried = await client.post(BASE, json={"credits": 100, "currency": "usd"}, headers=headers)
    assert retried.status_code == 201, retried.text


async def test_a_retry_after_a_lost_commit_gets_stripes_first_payment_intent(
    runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    data = schemas.CreditPurchaseCreate(credits=100, currency="usd")
    tenant = runtime.tenants.get("alpha")
    made = []
    for _ in range(2):
        async with runtime.sessions() as session:
            made.append(await PurchaseService(session, tenant, runtime).create("buyer", data, "lost", runtime.stripe))
            await rollback(session)  # the process died before the commit
    assert made[0].payment_intent_id == made[1].payment_intent_id, "Stripe answered its first PaymentIntent"
    assert made[0].id == made[1].id
    created = await events_of(sdk(stripe_emulator, alpha_key), "payment_intent.created")
    assert len(created) == 1


async def test_payment_succeeded_grants_once(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    purchase = (await client.post(BASE, json={"credits": 300, "currency": "usd"}, headers=auth("alpha"))).json()
    stripe_client = sdk(stripe_emulator, alpha_key)
    await stripe_client.v1.payment_intents.confirm_async(
        purchase["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    [event] = await events_of(stripe_client, "payment_intent.succeeded")
    await apply_event(runtime, event)
    await apply_event(runtime, event)  # a replayed webhook

    read = (await client.get(f"{BASE}/{purchase['id']}", headers=auth("alpha"))).json()
    assert (read["status"], read["grant_id"] is not None) == ("succeeded", True)
    balance = (await client.get("/t/alpha/v1/customers/buyer/balance", headers=auth("alpha"))).json()
    assert balance["balance"] == 300
    [grant] = balance["grants"]
    paid = dt.datetime.fromtimestamp(event["created"], dt.UTC)
    assert (grant["source"], grant["id"]) == ("payg", read["grant_id"])
    assert dt.datetime.fromisoformat(grant["expires_at"]) == paid + dt.timedelta(days=180)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditGrant)) == 1

    # A failure event arriving late (out of order) never undoes the success.
    failed = {**event, "id": "evt_late_failure", "type": "payment_intent.payment_failed"}
    await apply_event(runtime, failed)
    assert (await client.get(f"{BASE}/{purchase['id']}", headers=auth("alpha"))).json()["status"] == "succeeded"

    figures = (await client.get("/t/alpha/v1/admin/figures", headers=auth("alpha", "admin"))).json()["figures"]
    assert figures["payg"] == {"purchases": {"succeeded": 1}, "revenue": {"usd": 300}, "credits_sold": 300}
    later = "2100-01-01T00:00:00Z"
    r = await client.get(f"/t/alpha/v1/admin/figures?since={later}", headers=auth("alpha", "admin"))
    assert r.json()["figures"]["payg"] == {"purchases": {}, "revenue": {}, "credits_sold": 0}


async def test_payment_failed_marks_the_purchase(
    client: Any, runtime: Any, buyer: str, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    purchase = (await client.post(BASE, json={"credits": 100, "currency": "usd"}, headers=auth("alpha"))).json()
    stripe_client = sdk(stripe_emulator, alpha_key)
    with pytest.raises(stripe.CardError):
        await stripe_client.v1.payment_intents.confirm_async(
            purchase["payment_intent_id"], params={"payment_method": "pm_card_chargeDeclined"}
        )
    [event] = await events_of(stripe_client, "payment_intent.payment_failed")
    await apply_event(runtime, event)
    read = (await client.get(f"{BASE}/{purchase['id']}", headers=auth("alpha"))).json()
    assert (read["status"], read["failure_code"]) == ("failed", "generic_decline")
    balance = (await client.get("/t/alpha/v1/customers/buyer/balance", headers=auth("alpha"))).json()
    assert balance["balance"] == 0
    # The customer retries with another card: the success wins.
    await stripe_client.v1.payment_intents.confirm_async(
        purchase["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    [succeeded] = await events_of(stripe_client, "payment_intent.succeeded")
    await apply_event(runtime, succeeded)
    read = (await client.get(f"{BASE}/{purchase['id']}", headers=auth("alpha"))).json()
    assert (read["status"], read["failure_code"]) == ("succeeded", None)


async def test_foreign_payment_intents_are_ignored(runtime: Any, buyer: str) -> None:
    event = {
        "id": "evt_foreign",
        "type": "payment_intent.succeeded",
        "created": 1_700_000_000,
        "data": {
            "object": {"id": "pi_foreign", "object": "payment_intent", "amount": 500, "currency": "usd", "metadata": {}}
        },
    }
    await apply_event(runtime, event)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CreditGrant)) == 0
