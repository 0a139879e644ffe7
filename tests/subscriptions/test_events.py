"""Stripe's events for subscriptions, applied as the inbox worker applies them: duplicated, late, out of order.

The events are the emulator's own (today's shapes), taken from its event list after a customer paid,
and handed to the handlers directly, in the orders and copies a real delivery may produce.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from sqlalchemy import func, select

from core.ledger.models import CreditGrant
from core.runtime import Runtime
from plugins.subscriptions.models import Subscription, SubscriptionCheckout
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.subscriptions.conftest import (
    OK_URL,
    apply_event,
    create_customer,
    events_since,
    notices,
    of_type,
    paid_checkout,
    subscribed,
)
from tests.support.tenants import auth


def later_copy(event: dict[str, Any], seconds: int, **fields: Any) -> dict[str, Any]:
    """A different event about the same object, `seconds` later (or earlier), its snapshot edited by `fields`."""
    copied = copy.deepcopy(event)
    copied["id"] = f"evt_{uuid.uuid4().hex[:24]}"
    copied["created"] += seconds
    copied["data"]["object"].update(fields)
    return copied


async def plan_grants(runtime: Runtime) -> list[CreditGrant]:
    async with runtime.sessions() as session:
        statement = select(CreditGrant).where(CreditGrant.source == "stripe.invoice")
        return list((await session.scalars(statement)).all())


async def row(runtime: Runtime) -> Subscription | None:
    async with runtime.sessions() as session:
        return (await session.scalars(select(Subscription))).one_or_none()


async def test_events_in_order_then_replayed_apply_once(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await paid_checkout(client, stripe_emulator, alpha_key)
    assert [e["type"] for e in events if e["type"].startswith("customer.subscription")] == [
        "customer.subscription.created",
        "customer.subscription.updated",
    ]
    assert events[-1]["type"] == "checkout.session.completed", "Checkout's realistic order: completed comes last"
    for event in events:
        await apply_event(runtime, event)
    for event in events:  # every delivery again
        await apply_event(runtime, event)

    subscription = await row(runtime)
    assert subscription is not None
    assert (subscription.status, subscription.tier, subscription.customer) == ("active", "basic", "cust-1")
    [grant] = await plan_grants(runtime)
    [invoice_paid] = of_type(events, "invoice.paid")
    assert (grant.amount, grant.source_ref) == (200, invoice_paid["data"]["object"]["id"])
    assert grant.expires_at == subscription.current_period_end
    async with runtime.sessions() as session:
        checkout = (await session.scalars(select(SubscriptionCheckout))).one()
    assert (checkout.status, checkout.stripe_subscription_id) == ("complete", subscription.stripe_subscription_id)
    assert [n["source"] for n in await notices(runtime, "credits.granted")] == ["stripe.invoice"], "notified once"


async def test_events_in_reverse_order_converge_on_stripe(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await paid_checkout(client, stripe_emulator, alpha_key)
    for event in reversed(events):
        await apply_event(runtime, event)
    subscription = await row(runtime)
    assert subscription is not None
    assert subscription.status == "active"
    assert [g.amount for g in await plan_grants(runtime)] == [200]


async def test_a_late_or_stale_update_never_regresses_the_state(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await subscribed(runtime, client, stripe_emulator, alpha_key)
    [updated] = of_type(events, "customer.subscription.updated")
    # Older than what was applied: skipped by the watermark.
    await apply_event(runtime, later_copy(updated, -60, status="incomplete"))
    # Newer, but its snapshot is stale: the handler re-reads Stripe, which says active.
    await apply_event(runtime, later_copy(updated, +60, status="past_due", cancel_at_period_end=True))
    subscription = await row(runtime)
    assert subscription is not None
    assert (subscription.status, subscription.cancel_at_period_end, subscription.past_due_since) == (
        "active",
        False,
        None,
    )
    assert await notices(runtime, "subscription.past_due") == []


async def test_an_update_after_the_deletion_does_not_resurrect(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await subscribed(runtime, client, stripe_emulator, alpha_key, tier="premium")
    subscription = await row(runtime)
    assert subscription is not None
    assert subscription.status == "trialing", "premium starts with a trial"
    sdk = stripe_emulator.stripe_client(alpha_key)
    await sdk.v1.subscriptions.cancel_async(subscription.stripe_subscription_id)
    [deleted] = of_type(await events_since(sdk, events[-1]["id"]), "customer.subscription.deleted")
    await apply_event(runtime, deleted)
    [updated] = of_type(events, "customer.subscription.updated") or of_type(events, "customer.subscription.created")
    await apply_event(runtime, later_copy(updated, 0))
    await apply_event(runtime, later_copy(deleted, +30, status="active", ended_at=None))
    subscription = await row(runtime)
    assert subscription is not None
    assert subscription.status == "canceled"
    plan = (await client.get("/t/alpha/v1/customers/cust-1/subscription", headers=auth("alpha"))).json()
    assert (plan["tier"], plan["status"], plan["is_unlimited"]) == ("free", "free", False)


async def test_subscriptions_of_other_products_are_left_alone(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    """A recurring price that sells none of the tiers (another plugin's, or the app's own) is not ours."""
    await create_customer(client, "cust-1")
    await client.post("/t/alpha/v1/customers/cust-1/portal", json={"return_url": OK_URL}, headers=auth("alpha"))
    customer = (await client.get("/t/alpha/v1/customers/cust-1", headers=auth("alpha"))).json()
    sdk = stripe_emulator.stripe_client(alpha_key)
    product = await sdk.v1.products.create_async({"name": "Token refills"})
    price = await sdk.v1.prices.create_async(
        {"product": product.id, "currency": "usd", "unit_amount": 500, "recurring": {"interval": "month"}}
    )
    await sdk.v1.subscriptions.create_async(
        {
            "customer": customer["stripe_customer_id"],
            "items": [{"price": price.id}],
            "default_payment_method": "pm_card_visa",
        }
    )
    for event in await events_since(sdk):
        await apply_event(runtime, event)
    assert await row(runtime) is None
    assert await plan_grants(runtime) == []


async def test_a_renewal_that_needs_authentication_tells_the_app(
    client: Any, runtime: Runtime, stripe_emulator: EmulatorHandle, alpha_key: str
) -> None:
    events = await subscribed(runtime, client, stripe_emulator, alpha_key)
    subscription = await row(runtime)
    assert subscription is not None
    await stripe_emulator.control.aio.advance_subscription(
        alpha_key, subscription.stripe_subscription_id, "pm_card_authenticationRequired"
    )
    later = await events_since(stripe_emulator.stripe_client(alpha_key), events[-1]["id"])
    assert of_type(later, "invoice.payment_action_required")
    for event in later:
        await apply_event(runtime, event)
        await apply_event(runtime, event)
    [notice] = [n for n in await notices(runtime, "payment.failed") if n["action_required"]]
    assert (notice["customer"], notice["subscription"]) == ("cust-1", subscription.stripe_subscription_id)
    async with runtime.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Subscription)) == 1
