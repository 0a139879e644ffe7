"""Prices another plugin sells, asked for through a hook: how payg and subscriptions read a catalog.

A plugin that keeps a catalog (product_sync mirrors the tenant's Stripe products) answers
`tollgate_catalog_prices` with `CatalogPrice`s; a plugin that sells from catalogs asks with
`catalog_prices(kernel, tenant, session, CatalogQuery(...))` and never imports the one that answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

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

    id: Annotated[str, msgspec.Meta(description="The Stripe price (`price_...`).")]
    product: Annotated[str, msgspec.Meta(description="Its Stripe product (`prod_...`).")]
    product_name: Annotated[str | None, msgspec.Meta(description="The product's name; null when not synced yet.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    unit_amount: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Money per unit, in minor units of `currency` (1000 usd: 10.00 USD); null: a tiered or custom price."
            )
        ),
    ]
    type: Annotated[str, msgspec.Meta(description="`one_time` or `recurring`, as in Stripe.")]
    interval: Annotated[
        str | None, msgspec.Meta(description=("A recurring price's billing period (`month`, `year`); null: one-time."))
    ]
    interval_count: Annotated[
        int | None, msgspec.Meta(description=("Periods between charges (1: every month); null: one-time."))
    ]
    lookup_key: Annotated[str | None, msgspec.Meta(description="The price's lookup key in Stripe; null: none.")]
    nickname: Annotated[str | None, msgspec.Meta(description="The price's nickname in Stripe; null: none.")]
    active: Annotated[
        bool,
        msgspec.Meta(
            description=("A purchase may use it: the price and its product both active and not deleted in Stripe.")
        ),
    ]
    price_active: Annotated[bool, msgspec.Meta(description="The price is active in Stripe.")]
    product_active: Annotated[bool, msgspec.Meta(description="Its product is active in Stripe.")]
    is_default: Annotated[bool, msgspec.Meta(description="It is its product's default price.")]
    credit_amount: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Credits one unit gives (`credit_amount` metadata, the price's over its product's); null: none."
            )
        ),
    ]
    credit_type: Annotated[
        CreditType | None,
        msgspec.Meta(
            description=("What the credits are for (`credit_type` metadata): `payg` or `subscription`; null: none.")
        ),
    ]
    plan_tier: Annotated[
        str | None, msgspec.Meta(description=("The subscription tier it sells (`plan_tier` metadata); null: none."))
    ]
    feature_flags: Annotated[
        list[str], msgspec.Meta(description=("Feature flags it turns on (`feature_flags` metadata)."))
    ]
    metadata: Annotated[dict[str, str], msgspec.Meta(description="The price's metadata as Stripe has it.")]


async def catalog_prices(
    kernel: Kernel, tenant: Tenant, session: AsyncSession, query: CatalogQuery
) -> list[CatalogPrice]:
    """Every enabled plugin's answer to `query` for `tenant`, in plugin order (none without a catalog)."""
    answers = await kernel.ask("tollgate_catalog_prices", tenant, session=session, query=query)
    return [price for _, prices in answers for price in prices]
