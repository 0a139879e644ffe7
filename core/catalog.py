"""Prices another plugin sells, asked for through a hook: how payg and subscriptions read a catalog.

A plugin that keeps a catalog (product_sync mirrors the tenant's Stripe products) answers
`tollgate_catalog_prices` with `CatalogPrice`s; a plugin that sells from catalogs asks with
`catalog_prices(kernel, tenant, session, CatalogQuery(...))` and never imports the one that answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import msgspec

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from core.kernel import Kernel
    from tenants.registry import Tenant

CreditType = Literal["payg", "subscription"]


class CatalogQuery(msgspec.Struct, frozen=True, kw_only=True):
    """Which prices: one by Stripe id (in any state: an archived price still bills subscriptions), or
    the active recurring prices of a plan tier (optionally of one interval), or the active one-time
    prices that sell pay-as-you-go credits; `currency` narrows the last two."""

    price_id: str | None = None
    plan_tier: str | None = None
    interval: str | None = None
    credit_type: CreditType | None = None
    currency: str | None = None


class CatalogPrice(msgspec.Struct, frozen=True):
    """A price with its product's state and the credit terms its metadata gives it.

    `active` is what a purchase may use: the price and its product both active and not gone from
    Stripe. Credit terms are the price's own metadata over its product's.
    """

    id: str
    product: str
    product_name: str | None
    currency: str
    unit_amount: int | None
    type: str
    interval: str | None
    interval_count: int | None
    lookup_key: str | None
    nickname: str | None
    active: bool
    price_active: bool
    product_active: bool
    is_default: bool
    credit_amount: int | None
    credit_type: CreditType | None
    plan_tier: str | None
    feature_flags: list[str]
    metadata: dict[str, str]


async def catalog_prices(
    kernel: Kernel, tenant: Tenant, session: AsyncSession, query: CatalogQuery
) -> list[CatalogPrice]:
    """Every enabled plugin's answer to `query` for `tenant`, in plugin order (none without a catalog)."""
    answers = await kernel.ask("tollgate_catalog_prices", tenant, session=session, query=query)
    return [price for _, prices in answers for price in prices]
