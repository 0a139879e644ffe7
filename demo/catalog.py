"""What each tenant's operator sets up in its own Stripe account before customers arrive: the prices of its
plans (from the settings, as `tollgate stripe connect --prices` makes them: found again by lookup key, so a
second run with real test keys reuses them), promotion codes, and QuickScale's products with their credit
metadata, made in the dashboard.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.kernel import Kernel
from core.stripe_prices import stripe_prices
from demo.world import World


@dataclass(frozen=True)
class DashboardProduct:
    """A product as QuickScale's operator makes it in Stripe's dashboard, with one default price."""

    name: str
    unit_amount: int
    metadata: dict[str, str]
    interval: str | None = None


QUICKSCALE_PRODUCTS = (
    DashboardProduct(
        "AI Credits - Starter Pack",
        1000,
        {"credit_amount": "100", "credit_type": "payg", "feature_flags": "ai_generation,image_processing"},
    ),
    DashboardProduct("AI Credits - Studio Pack", 4000, {"credit_amount": "500", "credit_type": "payg"}),
    DashboardProduct(
        "Basic Plan", 999, {"credit_amount": "300", "credit_type": "subscription", "plan_tier": "basic"}, "month"
    ),
    DashboardProduct(
        "Pro Plan",
        2999,
        {
            "credit_amount": "1000",
            "credit_type": "subscription",
            "plan_tier": "pro",
            "feature_flags": "priority_support,api_access",
        },
        "month",
    ),
)


async def plan_prices(runtime: Kernel, slug: str) -> dict[str, str]:
    """The tier prices the settings give, found (by lookup key) or created in the tenant's Stripe account as
    `tollgate stripe connect --prices` does: `{secrets key: price id}`."""
    tenant = runtime.tenants.get(slug)
    prices = await stripe_prices(runtime, tenant, await runtime.stripe.for_tenant(tenant))
    return {price.key: price.id for price in prices}


async def ensure_plan_prices(world: World, slug: str) -> dict[str, str]:
    """The tier prices in the tenant's Stripe account, their ids put into the tenant's secrets (`prices`),
    where the subscriptions plugin looks them up."""
    ids = await plan_prices(world.runtime, slug)
    world.set_prices(slug, ids)
    return ids


async def ensure_promotion_code(world: World, slug: str, code: str, percent_off: int) -> str:
    """An active promotion code (`code`) for a one-time `percent_off` coupon; its id."""
    client = await world.stripe(slug)
    listed = await client.v1.promotion_codes.list_async({"code": code, "active": True, "limit": 1})
    if listed.data:
        return listed.data[0].id
    coupon = await client.v1.coupons.create_async({"percent_off": percent_off, "duration": "once"})
    promotion = await client.v1.promotion_codes.create_async(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "code": code}
    )
    return promotion.id


async def dashboard_catalog(
    create: Callable[..., Awaitable[Any]], products: Sequence[DashboardProduct]
) -> dict[str, Any]:
    """The operator makes the products in Stripe's dashboard (`create(name=, metadata=, default_price_data=)`);
    `{name: product}` with `default_price` ids."""
    made: dict[str, Any] = {}
    for product in products:
        price: dict[str, Any] = {"currency": "usd", "unit_amount": product.unit_amount}
        if product.interval:
            price["recurring"] = {"interval": product.interval}
        made[product.name] = await create(name=product.name, metadata=product.metadata, default_price_data=price)
    return made
