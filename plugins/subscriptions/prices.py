"""Which Stripe price sells which tier: the tenant's secrets (`<tier>/<interval>[/<currency>]`) or the synced catalog.

A plugin that keeps a catalog (product_sync) is asked first through `tollgate_catalog_prices`, by
`plan_tier` metadata (Stripe is the source of truth there); the secrets' map is the fallback and
the only source otherwise. Amounts shown on the
tier list come from the catalog, or from Stripe itself, cached for a few minutes per price. The tiers'
`prices` in the settings are what `tollgate stripe connect --prices` sets up (`wanted_prices`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import msgspec
import stripe
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.catalog import CatalogPrice, CatalogQuery, catalog_prices
from core.stripe_prices import WantedPrice, lookup_key
from plugins.subscriptions.config import Interval, config_of
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

logger = logging.getLogger("tollgate.subscriptions")

INTERVALS: tuple[Interval, ...] = ("month", "year")
AMOUNT_TTL_SECONDS = 300.0
# (tenant, price id) -> (fetched at, currency, unit amount): prices are immutable in Stripe but for
# `active`, so a short cache only delays showing an archived price's amount.
_amounts: dict[tuple[str, str], tuple[float, str, int | None]] = {}
# (tenant, price id) -> until when not to ask again after Stripe could not answer: a tier list stays
# fast while Stripe is unreachable instead of waiting out the client's retries on every request.
UNREADABLE_TTL_SECONDS = 30.0
_unreadable: dict[tuple[str, str], float] = {}


class TierPrice(msgspec.Struct, frozen=True):
    """A Stripe price that sells a tier for an interval (with its catalog metadata, when synced)."""

    id: str
    tier: str
    interval: Interval
    currency: str | None
    unit_amount: int | None
    source: Literal["secrets", "catalog", "metadata"]
    # The price's `credit_amount` metadata (credits per billing period); None: the tier's credits_per_month.
    period_credits: int | None = None
    feature_flags: tuple[str, ...] = ()


def _from_catalog(price: CatalogPrice, tier: str, interval: Interval) -> TierPrice:
    per_period = price.credit_amount if price.credit_type == "subscription" else None
    return TierPrice(
        price.id, tier, interval, price.currency, price.unit_amount, "catalog", per_period, tuple(price.feature_flags)
    )


def tier_price(synced: Iterable[CatalogPrice]) -> TierPrice | None:
    """The first of a price's catalog answers that sells a tier (`plan_tier`, billed monthly or yearly)."""
    for price in synced:
        if price.plan_tier and price.interval in INTERVALS:
            return _from_catalog(price, price.plan_tier, "month" if price.interval == "month" else "year")
    return None


def _parse_key(key: str) -> tuple[str, Interval, str | None] | None:
    parts = key.split("/")
    if len(parts) not in (2, 3) or parts[1] not in INTERVALS:
        return None
    interval: Interval = "month" if parts[1] == "month" else "year"
    return parts[0], interval, parts[2].lower() if len(parts) == 3 else None


def wanted_prices(tenant: Tenant) -> list[WantedPrice]:
    """The recurring prices the tenant's tiers are sold at, one Stripe product per tier."""
    return [
        WantedPrice(
            key=amount.key(tier.id),
            lookup_key=lookup_key(tenant, amount.key(tier.id)),
            product=f"{tenant.name} {tier.name}",
            currency=amount.charged_in,
            unit_amount=amount.unit_amount,
            interval=amount.interval,
        )
        for tier in config_of(tenant).tiers
        for amount in tier.prices
    ]


class PriceBook:
    """One tenant's tier prices, read within the caller's session."""

    def __init__(self, session: AsyncSession, tenant: Tenant, runtime: Kernel) -> None:
        self.session = session
        self.tenant = tenant
        self.runtime = runtime

    async def for_tier(self, tier: str, interval: Interval, currency: str | None = None) -> TierPrice | None:
        """The price a checkout for `tier` billed every `interval` (in `currency`, when asked) should use."""
        for price in await self._catalog(tier, interval, currency):
            return price
        matching = [p for p in await self._secrets() if (p.tier, p.interval) == (tier, interval)]
        if currency is None:
            return next((p for p in matching if p.currency is None), matching[0] if matching else None)
        exact = next((p for p in matching if p.currency == currency), None)
        if exact is not None:
            return exact
        # A key without a currency sells in its price's own currency: ask Stripe which that is.
        for price in (p for p in matching if p.currency is None):
            priced = await self._with_amount(price)
            if priced.currency == currency:
                return priced
        return None

    async def tier_of(self, price_id: str) -> TierPrice | None:
        """Which tier and interval a subscribed price sells, or None when it sells none of ours."""
        synced = await catalog_prices(self.runtime, self.tenant, self.session, CatalogQuery(price_id=price_id))
        found = tier_price(synced)
        if found is not None:
            return found
        return next((price for price in await self._secrets() if price.id == price_id), None)

    async def options(self, tier: str) -> list[TierPrice]:
        """Every price on sale for `tier`, with its amount (None when Stripe cannot be asked right now)."""
        found = {price.id: price for interval in INTERVALS for price in await self._catalog(tier, interval, None)}
        for price in await self._secrets():
            if price.tier == tier and price.id not in found:
                found[price.id] = await self._with_amount(price)
        return sorted(found.values(), key=lambda p: (INTERVALS.index(p.interval), p.currency or "", p.id))

    async def _catalog(self, tier: str, interval: Interval, currency: str | None) -> list[TierPrice]:
        query = CatalogQuery(plan_tier=tier, interval=interval, currency=currency)
        prices = await catalog_prices(self.runtime, self.tenant, self.session, query)
        # The product's default price first: that is the one the catalog presents.
        prices.sort(key=lambda p: (not p.is_default, p.id))
        return [_from_catalog(p, tier, interval) for p in prices]

    async def _secrets(self) -> list[TierPrice]:
        prices = []
        for key, price_id in sorted((await self.runtime.secrets.get(self.tenant)).prices.items()):
            parsed = _parse_key(key)
            if parsed is not None:
                tier, interval, currency = parsed
                prices.append(TierPrice(price_id, tier, interval, currency, None, "secrets"))
        return prices

    async def _with_amount(self, price: TierPrice) -> TierPrice:
        key = (self.tenant.slug, price.id)
        now = clock.now().timestamp()
        cached = _amounts.get(key)
        if cached is None or now - cached[0] > AMOUNT_TTL_SECONDS:
            if _unreadable.get(key, 0.0) > now:
                return price
            try:
                client = await self.runtime.stripe.for_tenant(self.tenant)
                found = await client.v1.prices.retrieve_async(price.id)
            except stripe.StripeError as exc:
                logger.warning("price %s of %s could not be read: %s", price.id, self.tenant.slug, exc)
                _unreadable[key] = now + UNREADABLE_TTL_SECONDS
                return price
            cached = _amounts[key] = (now, found.currency, found.unit_amount)
        return msgspec.structs.replace(price, currency=cached[1], unit_amount=cached[2])
