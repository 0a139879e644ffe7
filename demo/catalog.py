"""What each tenant's operator sets up in its own Stripe account before customers arrive: the prices of its
plans (found again by lookup key, so a second run with real test keys reuses them), promotion codes, and
QuickScale's products with their credit metadata, made in the dashboard.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import stripe

from demo.world import World


@dataclass(frozen=True)
class PlanPrice:
    """A recurring price of a tier, named as the tenant's secrets name it: `<tier>/<interval>[/<currency>]`."""

    key: str
    product: str
    unit_amount: int

    @property
    def interval(self) -> str:
        return self.key.split("/")[1]

    @property
    def currency(self) -> str:
        parts = self.key.split("/")
        return parts[2] if len(parts) == 3 else "usd"


@dataclass(frozen=True)
class DashboardProduct:
    """A product as QuickScale's operator makes it in Stripe's dashboard, with one default price."""

    name: str
    unit_amount: int
    metadata: dict[str, str]
    interval: str | None = None


IMAGEGEN_PRICES = (
    PlanPrice("basic/month", "ImageGen Basic", 999),
    PlanPrice("basic/year", "ImageGen Basic", 9990),
    PlanPrice("premium/month", "ImageGen Premium", 2999),
    PlanPrice("premium/year", "ImageGen Premium", 29990),
)
AUTOMATE_PRICES = (
    PlanPrice("starter/month", "Automate Starter", 1900),
    PlanPrice("pro/month", "Automate Pro", 4900),
)
FIKO_PRICES = (
    PlanPrice("full/month", "Fiko Full plan", 500),
    PlanPrice("full/year", "Fiko Full plan", 5000),
    PlanPrice("full/month/eur", "Fiko Full plan", 450),
    PlanPrice("full/year/eur", "Fiko Full plan", 4500),
)
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


def lookup_key(slug: str, price: PlanPrice) -> str:
    return f"tollgate_demo_{slug}_{price.key.replace('/', '_')}"


async def plan_prices(client: stripe.StripeClient, slug: str, prices: Sequence[PlanPrice]) -> dict[str, str]:
    """Find (by lookup key) or create the tier prices in the tenant's Stripe account: `{secrets key: price id}`."""
    wanted = {lookup_key(slug, price): price for price in prices}
    listed = await client.v1.prices.list_async({"lookup_keys": list(wanted), "limit": 100})
    found = {p.lookup_key: p for p in listed.data if p.lookup_key}
    products = {wanted[key].product: str(p.product) for key, p in found.items() if key in wanted}
    ids: dict[str, str] = {}
    for key, price in wanted.items():
        if key not in found:
            if price.product not in products:
                product = await client.v1.products.create_async({"name": price.product})
                products[price.product] = product.id
            found[key] = await client.v1.prices.create_async(
                {
                    "product": products[price.product],
                    "currency": price.currency,
                    "unit_amount": price.unit_amount,
                    "recurring": {"interval": price.interval},
                    "lookup_key": key,
                }
            )
        ids[price.key] = found[key].id
    return ids


async def ensure_plan_prices(world: World, slug: str, prices: Sequence[PlanPrice]) -> dict[str, str]:
    """The tier prices in the tenant's Stripe account, their ids put into the tenant's secrets (`prices`),
    where the subscriptions plugin looks them up."""
    ids = await plan_prices(await world.stripe(slug), slug, prices)
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
