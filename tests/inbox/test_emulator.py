"""End to end with the Stripe emulator: its signed deliveries, duplicated and shuffled, reach the inbox.

The emulator is a real HTTP server speaking Stripe's API to the official SDK; it posts each event
to the tenant's webhook URL on a live Tollgate, several times and out of order.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.app import create_app
from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.inbox.conftest import recorder, subscription_states
from tests.support.app import live_server
from tests.support.jobs import drain
from tests.support.tenants import secrets_document

SECRET = "whsec_emulator_end_to_end"


@pytest.fixture
def tenant_secrets(stripe_account: str) -> dict[str, Any]:
    return {
        "alpha": secrets_document("alpha", stripe_key=stripe_account, stripe_webhook_secrets=[SECRET]),
        "beta": secrets_document("beta"),
    }


@pytest.fixture
def settings_overrides(stripe_emulator: EmulatorHandle) -> dict[str, Any]:
    return {"stripe": {"api_base": stripe_emulator.url, "max_network_retries": 0}}


async def test_duplicated_shuffled_deliveries_apply_once_and_end_in_stripes_state(
    runtime: Runtime, stripe_emulator: EmulatorHandle, stripe_account: str
) -> None:
    control = stripe_emulator.control.aio
    stripe = stripe_emulator.stripe_client(stripe_account)
    async with live_server(create_app(runtime)) as url:
        await control.register_webhook(stripe_account, f"{url}/t/alpha/webhooks/stripe", secret=SECRET)
        await control.set_webhook_faults(stripe_account, duplicates=3, shuffle_window=6, seed=11)

        product = await stripe.v1.products.create_async(params={"name": "v1"})
        for name in ("v2", "v3", "v4"):
            await stripe.v1.products.update_async(product.id, params={"name": name})
        price = await stripe.v1.prices.create_async(
            params={"product": product.id, "currency": "usd", "unit_amount": 900, "recurring": {"interval": "month"}}
        )
        customer = await stripe.v1.customers.create_async(params={"email": "e2e@example.com"})
        await stripe.v1.payment_methods.attach_async("pm_card_visa", params={"customer": customer.id})
        subscription = await stripe.v1.subscriptions.create_async(
            params={
                "customer": customer.id,
                "items": [{"price": price.id}],
                "default_payment_method": "pm_card_visa",
            }
        )
        await stripe.v1.subscriptions.update_async(subscription.id, params={"cancel_at_period_end": True})
        await stripe.v1.subscriptions.cancel_async(subscription.id)

        settled = await control.settle(stripe_account, timeout=30)
        assert settled["settled"], settled
        assert settled["gave_up"] == 0, settled
        await drain(runtime)

    deliveries = (await control.deliveries(stripe_account))["data"]
    sent = {d["event_id"] for d in deliveries}
    assert len(deliveries) >= 3 * len(sent), "each event came three times"
    assert all(d["ok"] for d in deliveries)
    async with runtime.sessions() as session:
        stored = (await session.execute(select(WebhookEvent.stripe_event_id, WebhookEvent.status))).all()
        assert await session.scalar(select(func.count()).select_from(WebhookEvent)) == len(sent)
    assert {event_id for event_id, _ in stored} == sent, "every event once, however often it was delivered"
    assert {status for _, status in stored} <= {"processed", "ignored"}

    final = await stripe.v1.subscriptions.retrieve_async(subscription.id)
    assert await subscription_states(runtime) == {subscription.id: final.status}
    async with runtime.engine.connect() as conn:
        names = dict((await conn.execute(select(recorder.products.c.product_id, recorder.products.c.name))).all())
    assert names == {product.id: "v4"}, "re-read from Stripe, whatever order the events came in"
