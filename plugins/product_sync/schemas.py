"""Wire shapes of the catalog, also the types the service API hands to the other plugins."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, ClassVar

import msgspec

from core import catalog
from core.fields import Examples
from core.lists import Page
from plugins.product_sync.metadata import CreditType, MetadataProblem


class CatalogPrice(catalog.CatalogPrice, frozen=True):
    """A synced price as the kernel's catalog contract has it, with the problems its metadata has."""

    problems: Annotated[
        list[MetadataProblem],
        msgspec.Meta(description=("Metadata values of the price that could not be used; empty: none.")),
    ]


class CatalogProduct(msgspec.Struct, frozen=True):
    """A Stripe product as last synced, with the credit terms its metadata gives and its prices."""

    id: Annotated[str, msgspec.Meta(description="The Stripe product (`prod_...`).")]
    name: Annotated[str, msgspec.Meta(description="Its name in Stripe.")]
    description: Annotated[str | None, msgspec.Meta(description="Its description in Stripe; null: none.")]
    active: Annotated[bool, msgspec.Meta(description="Active in Stripe.")]
    deleted: Annotated[bool, msgspec.Meta(description="Deleted in Stripe: kept for the prices that still bill.")]
    default_price: Annotated[str | None, msgspec.Meta(description="Its default Stripe price; null: none.")]
    credit_amount: Annotated[
        int | None, msgspec.Meta(description=("Credits one unit gives (`credit_amount` metadata); null: none."))
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
    metadata: Annotated[dict[str, str], msgspec.Meta(description="Its metadata as Stripe has it.")]
    problems: Annotated[
        list[MetadataProblem], msgspec.Meta(description=("Metadata values that could not be used; empty: none."))
    ]
    updated: Annotated[
        int,
        msgspec.Meta(
            description=(
                "Stripe's `updated` of the version synced, seconds since the epoch: an older event never overwrites it."
            )
        ),
    ]
    prices: Annotated[list[CatalogPrice], msgspec.Meta(description="Its prices.")]


class SyncRun(msgspec.Struct, frozen=True):
    """One full sync of the tenant's catalog from Stripe."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The run's id.")]
    status: Annotated[str, msgspec.Meta(description="`queued`, `running`, `succeeded` or `failed`.")]
    trigger: Annotated[
        str, msgspec.Meta(description=("What started it: `admin` (the API), `cli`, `schedule` or `task`."))
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When it was asked for.")]
    started_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it started; null while queued.")]
    finished_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it finished; null until then.")]
    products: Annotated[int, msgspec.Meta(description="Products read from Stripe.")]
    prices: Annotated[int, msgspec.Meta(description="Prices read from Stripe.")]
    stale_skipped: Annotated[
        int, msgspec.Meta(description=("Objects left alone because a newer version was already synced."))
    ]
    deactivated_products: Annotated[
        int, msgspec.Meta(description=("Products marked inactive because Stripe no longer lists them."))
    ]
    deactivated_prices: Annotated[
        int, msgspec.Meta(description=("Prices marked inactive because Stripe no longer lists them."))
    ]
    problems: Annotated[
        list[MetadataProblem], msgspec.Meta(description=("Metadata values that could not be used; empty: none."))
    ]
    error: Annotated[str | None, msgspec.Meta(description="Why it failed; null unless `failed`.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "1e3a5c7b-9d0f-4a2b-8c4d-6e8f0a1b2c3d",
            "status": "succeeded",
            "trigger": "admin",
            "created_at": "2026-03-02T08:00:00Z",
            "started_at": "2026-03-02T08:00:01Z",
            "finished_at": "2026-03-02T08:00:03Z",
            "products": 4,
            "prices": 4,
            "stale_skipped": 0,
            "deactivated_products": 0,
            "deactivated_prices": 0,
            "problems": [],
            "error": None,
        },
    )


class CatalogListing(Page[CatalogProduct]):
    """`GET /catalog`: the tenant's synced products with their prices, answered whole, and the latest sync run."""

    data: Annotated[list[CatalogProduct], msgspec.Meta(description="Every synced product with its prices.")]
    last_sync: Annotated[SyncRun | None, msgspec.Meta(description="The latest sync run; null: never synced.")]

    schema_examples: ClassVar[Examples] = (
        {
            "data": [
                {
                    "id": "prod_RaiCreditsStarter",
                    "name": "AI Credits - Starter Pack",
                    "description": "100 AI credits",
                    "active": True,
                    "deleted": False,
                    "default_price": "price_1QbE2f2eZvKYlo2Cstarter",
                    "credit_amount": 100,
                    "credit_type": "payg",
                    "plan_tier": None,
                    "feature_flags": [],
                    "metadata": {"credit_amount": "100", "credit_type": "payg"},
                    "problems": [],
                    "updated": 1772438400,
                    "prices": [
                        {
                            "id": "price_1QbE2f2eZvKYlo2Cstarter",
                            "product": "prod_RaiCreditsStarter",
                            "product_name": "AI Credits - Starter Pack",
                            "currency": "usd",
                            "unit_amount": 1000,
                            "type": "one_time",
                            "interval": None,
                            "interval_count": None,
                            "lookup_key": None,
                            "nickname": None,
                            "active": True,
                            "price_active": True,
                            "product_active": True,
                            "is_default": True,
                            "credit_amount": 100,
                            "credit_type": "payg",
                            "plan_tier": None,
                            "feature_flags": [],
                            "metadata": {},
                            "problems": [],
                        }
                    ],
                }
            ],
            "has_more": False,
            "next_cursor": None,
            "last_sync": {
                "id": "1e3a5c7b-9d0f-4a2b-8c4d-6e8f0a1b2c3d",
                "status": "succeeded",
                "trigger": "admin",
                "created_at": "2026-03-02T08:00:00Z",
                "started_at": "2026-03-02T08:00:01Z",
                "finished_at": "2026-03-02T08:00:03Z",
                "products": 4,
                "prices": 4,
                "stale_skipped": 0,
                "deactivated_products": 0,
                "deactivated_prices": 0,
                "problems": [],
                "error": None,
            },
        },
    )
