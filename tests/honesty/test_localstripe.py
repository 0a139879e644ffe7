"""The same platform, meeting a Stripe fake it did not write: localstripe (PyPI).

Our emulator should not be the only Stripe the platform has met. This flow — a customer, a
PaymentIntent confirmed with a card, a refund, and the signed `payment_intent.succeeded` webhook
verified by the platform's ingest — runs against localstripe through the platform's own
per-tenant Stripe client. localstripe answers in older shapes; the flow needs none of the newer ones.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.app import create_app
from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from tests.support.app import live_server
from tests.support.services import free_port
from tests.support.tenants import WEBHOOK_SECRETS, secrets_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
            cwd=tmp_path_factory.getbasetemp(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{url}/v1/customers", headers={"Authorization": "Bearer sk_test_x"}, timeout=0.5)
            break
        except httpx.HTTPError:
            if process.poll() is not None:
                raise RuntimeError(log.read_text()) from None
            time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(10)


@pytest.fixture
def tenant_secrets() -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key="sk_test_localstripe_alpha"),
        "beta": secrets_document("beta"),
    }


@pytest.fixture
def settings_overrides(localstripe: str) -> dict[str, Any]:
    return {"stripe": {"api_base": localstripe, "max_network_retries": 1}}


async def test_customer_payment_refund_and_signed_webhook_against_localstripe(
    runtime: Runtime, localstripe: str
) -> None:
    async with live_server(create_app(runtime)) as app_url:
        async with httpx.AsyncClient() as http:
            registered = await http.post(
                f"{localstripe}/_config/webhooks/tollgate",
                data={"url": f"{app_url}/t/alpha/webhooks/stripe", "secret": WEBHOOK_SECRETS["alpha"]},
            )
            assert registered.status_code == 200, registered.text

        stripe = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
        customer = await stripe.v1.customers.create_async(
            params={"email": "honest@example.com"}, options={"idempotency_key": "tollgate:honesty:customer"}
        )
        method = await stripe.v1.payment_methods.create_async(
            params={
                "type": "card",
                "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
            }
        )
        intent = await stripe.v1.payment_intents.create_async(
            params={"amount": 1500, "currency": "usd", "customer": customer.id, "payment_method": method.id},
            options={"idempotency_key": "tollgate:honesty:intent"},
        )
        confirmed = await stripe.v1.payment_intents.confirm_async(intent.id)
        assert confirmed.status == "succeeded"

        stored = None
        for _ in range(100):  # localstripe waits a second before it delivers
            async with runtime.sessions() as session:
                stored = await session.scalar(
                    select(WebhookEvent).where(
                        WebhookEvent.tenant_id == "alpha", WebhookEvent.event_type == "payment_intent.succeeded"
                    )
                )
            if stored is not None:
                break
            await asyncio.sleep(0.1)
        assert stored is not None, "the platform verified and stored localstripe's signed event"
        assert json.loads(stored.payload)["data"]["object"]["id"] == intent.id

        refund = await stripe.v1.refunds.create_async(
            params={"payment_intent": intent.id, "amount": 500}, options={"idempotency_key": "tollgate:honesty:refund"}
        )
        assert (refund.amount, refund.status) == (500, "succeeded")

        async with httpx.AsyncClient() as http:
            forged = await http.post(
                f"{app_url}/t/alpha/webhooks/stripe",
                content=b'{"id": "evt_forged", "type": "payment_intent.succeeded"}',
                headers={"Stripe-Signature": "t=1,v1=deadbeef", "content-type": "application/json"},
            )
        assert forged.status_code == 400
