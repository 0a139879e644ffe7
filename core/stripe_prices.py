"""The prices a tenant's plugins sell from the settings, set up in its own Stripe account: asked through
`tollgate_stripe_prices` and found again by lookup key (`tollgate_<slug>_<key>`), so a second run creates
nothing. `tollgate stripe connect --prices` and the demo both go through `stripe_prices`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import msgspec

if TYPE_CHECKING:
    import stripe

    from core.kernel import Kernel
    from tenants.registry import Tenant

# Stripe answers at most this many lookup keys per price list call.
LOOKUP_KEYS_PER_CALL = 10


def lookup_key(tenant: Tenant, key: str) -> str:
    """The Stripe lookup key of the price the tenant's secrets name `key` (`basic/month/eur`)."""
    return f"tollgate_{tenant.slug}_{key.replace('/', '_')}"


class WantedPrice(msgspec.Struct, frozen=True, kw_only=True):
    """A price a plugin sells from the settings: named as the secrets' `prices` name it."""

    key: str
    lookup_key: str
    product: str
    currency: str
    unit_amount: int
    # None: a one-time price.
    interval: str | None = None


class StripePrice(msgspec.Struct, frozen=True, kw_only=True):
    """A wanted price as it stands in Stripe: found by its lookup key, created, or replaced (the settings
    changed its amount; Stripe prices are immutable, so a new one takes over the lookup key)."""

    key: str
    id: str
    lookup_key: str
    outcome: Literal["found", "created", "replaced"]
    currency: str
    unit_amount: int
    interval: str | None = None


async def ensure_prices(client: stripe.StripeClient, wanted: Sequence[WantedPrice]) -> list[StripePrice]:
    """Find each wanted price by lookup key or create it (one product per product name), in order."""
    found: dict[str, Any] = {}
    keys = [price.lookup_key for price in wanted]
    for start in range(0, len(keys), LOOKUP_KEYS_PER_CALL):
        chunk = keys[start : start + LOOKUP_KEYS_PER_CALL]
        listed = await client.v1.prices.list_async({"lookup_keys": chunk, "limit": 100})
        found |= {price.lookup_key: price for price in listed.data if price.lookup_key}
    products = {price.product: str(found[price.lookup_key].product) for price in wanted if price.lookup_key in found}
    outcomes: list[StripePrice] = []
    for price in wanted:
        existing = found.get(price.lookup_key)
        if existing is not None and _same(existing, price):
            outcomes.append(_outcome(price, existing.id, "found"))
            continue
        if price.product not in products:
            products[price.product] = (await client.v1.products.create_async({"name": price.product})).id
        params: dict[str, Any] = {
            "product": products[price.product],
            "currency": price.currency,
            "unit_amount": price.unit_amount,
            "lookup_key": price.lookup_key,
            "transfer_lookup_key": existing is not None,
        }
        if price.interval:
            params["recurring"] = {"interval": price.interval}
        made = await client.v1.prices.create_async(params)  # type: ignore[arg-type]
        outcomes.append(_outcome(price, made.id, "created" if existing is None else "replaced"))
    return outcomes


def _same(existing: Any, price: WantedPrice) -> bool:
    interval = existing.recurring.interval if existing.recurring else None
    return bool(existing.active) and (existing.currency, existing.unit_amount, interval) == (
        price.currency,
        price.unit_amount,
        price.interval,
    )


def _outcome(price: WantedPrice, price_id: str, outcome: Literal["found", "created", "replaced"]) -> StripePrice:
    return StripePrice(
        key=price.key,
        id=price_id,
        lookup_key=price.lookup_key,
        outcome=outcome,
        currency=price.currency,
        unit_amount=price.unit_amount,
        interval=price.interval,
    )


async def stripe_prices(kernel: Kernel, tenant: Tenant, client: stripe.StripeClient) -> list[StripePrice]:
    """Every price the tenant's plugins sell from the settings, found or created in its Stripe account
    (`tollgate_stripe_prices`); their ids go into the secrets' `prices` under each `key`."""
    answers = await kernel.ask("tollgate_stripe_prices", tenant, client=client)
    return [price for _, prices in answers for price in prices]
