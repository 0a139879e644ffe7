"""Stripe's `product.*` and `price.*` events keep the mirror current between full syncs.

An event only says that something changed: the handler re-reads the object from Stripe and stores
what Stripe holds now, so a late or duplicated event can only ever write the latest state. An event
older than one already applied to the object is skipped without a call; a deleted object (the
re-read answers 404) becomes a tombstone that a stale update cannot revive.
"""

from __future__ import annotations

from collections.abc import Mapping

import stripe

from core import clock
from core.inbox.context import EventContext
from plugins.product_sync.services import CatalogMirror


def _is_gone(exc: stripe.InvalidRequestError) -> bool:
    return exc.http_status == 404 or exc.code == "resource_missing"


async def catalog_changed(ctx: EventContext) -> None:
    """Any `product.*` or `price.*` event: store the object as Stripe holds it now, or its tombstone."""
    if not await ctx.mark_applied():
        return
    mirror = CatalogMirror(ctx.session, ctx.tenant)
    is_price = ctx.object.get("object") == "price"
    gone = mirror.price_gone if is_price else mirror.product_gone
    observed_at = clock.now()
    if ctx.type.endswith(".deleted"):
        await gone(ctx.object, observed_at)
        return
    try:
        # A price comes with its product: its event may be the first the mirror hears of that product.
        current = (await ctx.refetch(expand=["product"] if is_price else ())).to_dict()
    except stripe.InvalidRequestError as exc:
        if not _is_gone(exc):
            raise
        await gone(ctx.object, observed_at)
        return
    if not is_price:
        await mirror.observe_product(current, observed_at)
        return
    product = current.get("product")
    if isinstance(product, Mapping) and not product.get("deleted"):
        await mirror.observe_product(product, observed_at)
    await mirror.observe_price(current, observed_at)


EVENT_TYPES = (
    "product.created",
    "product.updated",
    "product.deleted",
    "price.created",
    "price.updated",
    "price.deleted",
)
