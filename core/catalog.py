"""Prices another plugin sells, asked for through a hook: how payg and subscriptions read a catalog.

A plugin that keeps a catalog (product_sync mirrors the tenant's Stripe products) answers
`tollgate_catalog_prices` with `CatalogPrice`s; a plugin that sells from catalogs asks with
`catalog_prices(kernel, tenant, session, CatalogQuery(...))` and never imports the one that answers.
For a one-statement read (the entitlements), a catalog may also hand its part of a statement
(`tollgate_catalog_read`: a LATERAL subquery for one price by id); the kernel gathers the enabled
catalogs' parts into a `CatalogRead` for the plugins that read prices that way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec
from sqlalchemy import ColumnElement, FromClause

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


# A catalog plugin's columns for one price turned into that price: (the columns, the tenant, the plan
# tiers its metadata is read against) -> the price, or None when the catalog does not hold it.
PriceOf = Callable[[Sequence[Any], "Tenant", frozenset[str] | None], CatalogPrice | None]


@dataclass(frozen=True)
class CatalogPart:
    """A catalog plugin's part of a one-statement read (`tollgate_catalog_read`): one price by its Stripe id.

    `lateral(price_id)`: a LATERAL subquery, at most one row, for the price whose Stripe id is the
    column `price_id` (of a subquery earlier in the statement), scoped with the bound parameter
    `scope_tenant` (`core.entitlement_parts.TENANT`). `price`: its columns, in the subquery's order,
    as the `CatalogPrice` that `tollgate_catalog_prices` answers to `CatalogQuery(price_id=...)`.
    """

    lateral: Callable[[ColumnElement[Any]], FromClause]
    price: PriceOf


@dataclass(frozen=True)
class PricesRead:
    """The prices a one-statement part reads for one price id column: every enabled catalog's lateral,
    their columns, and `prices(values, tenant)`: what `catalog_prices` would answer, in plugin order."""

    joins: tuple[FromClause, ...]
    columns: tuple[ColumnElement[Any], ...]
    prices: Callable[[Sequence[Any], Tenant], list[CatalogPrice]]


@dataclass(frozen=True)
class CatalogRead:
    """What the kernel hands a plugin's one-statement part (`tollgate_entitlements_read(catalog)`): the
    parts of the catalogs a tenant enables, and the plan tiers their metadata is read against.

    `readable` is False when an enabled catalog has no part (it answers only in a session): a part
    that needs prices then answers through its session hook. No catalog enabled: readable, no prices.
    """

    parts: tuple[CatalogPart, ...] = ()
    readable: bool = True
    plan_tiers: Callable[[Tenant], frozenset[str] | None] = field(default=lambda tenant: None)

    def by_id(self, price_id: ColumnElement[Any]) -> PricesRead:
        """The laterals and columns for the price whose Stripe id is the column `price_id`."""
        laterals = tuple(part.lateral(price_id) for part in self.parts)
        spans: list[slice] = []
        columns: list[ColumnElement[Any]] = []
        for lateral in laterals:
            spans.append(slice(len(columns), len(columns) + len(lateral.c)))
            columns.extend(lateral.c)

        def prices(values: Sequence[Any], tenant: Tenant) -> list[CatalogPrice]:
            tiers = self.plan_tiers(tenant)
            found = (part.price(values[span], tenant, tiers) for part, span in zip(self.parts, spans, strict=True))
            return [price for price in found if price is not None]

        return PricesRead(laterals, tuple(columns), prices)
