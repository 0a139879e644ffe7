"""A test-only plugin with real, countable effects, for the inbox tests (in-process and in worker processes).

`invoice.paid` records a grant in `recorder_grants` (deliberately no unique key: an event applied
twice shows up as a second row) and, when the invoice names a customer, grants the credits in the
ledger; `customer.subscription.*` keeps the newest status per subscription through the ordering
helper; `product.created|updated` re-reads the product from Stripe and keeps its name;
`invoice.payment_failed` always fails. Its tables live in their own metadata, created by
the tests, so the kernel's schema and migrations never see them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, insert, select, update

from core.hookspecs import hookimpl
from core.inbox.context import EventContext
from core.ledger.services import Ledger

metadata = MetaData()
grants = Table(
    "recorder_grants",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tenant_id", String(64), nullable=False),
    Column("invoice_id", String(255), nullable=False),
    Column("event_id", String(255), nullable=False),
    Column("amount", Integer, nullable=False),
)
subscriptions = Table(
    "recorder_subscriptions",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("subscription_id", String(255), primary_key=True),
    Column("status", String(32), nullable=False),
    Column("event_created", BigInteger, nullable=False),
)

products = Table(
    "recorder_products",
    metadata,
    Column("tenant_id", String(64), primary_key=True),
    Column("product_id", String(255), primary_key=True),
    Column("name", String(255), nullable=False),
)

# Built once, its values passed at execution: SQLAlchemy then reuses its compiled form, where building
# `insert(...).values(...)` per event cost more than the rest of the handler.
RECORD_GRANT = insert(grants)

# Event id -> failures still to raise (in-process tests of retries).
FAILURES: dict[str, int] = {}


async def invoice_paid(ctx: EventContext) -> None:
    invoice = ctx.object
    pause = int((invoice.get("metadata") or {}).get("pause_ms", 0))
    grant = {"tenant_id": ctx.tenant.slug, "invoice_id": invoice["id"], "event_id": ctx.id}
    await ctx.session.execute(RECORD_GRANT, grant | {"amount": int(invoice["amount_paid"])})
    customer = (invoice.get("metadata") or {}).get("customer")
    if customer:
        await Ledger(ctx.session, ctx.tenant).grant(
            customer, int(invoice["amount_paid"]), source="stripe.invoice", source_ref=invoice["id"]
        )
    if pause:
        # Inside the transaction, after the write: a worker killed here must leave no trace.
        await asyncio.sleep(pause / 1000)
    remaining = FAILURES.get(ctx.id, 0)
    if remaining:
        FAILURES[ctx.id] = remaining - 1
        raise RuntimeError(f"planned failure, {remaining - 1} to go")


async def invoice_payment_failed(ctx: EventContext) -> None:
    raise RuntimeError("the recorder cannot handle failed payments")


async def subscription_changed(ctx: EventContext) -> None:
    if not await ctx.mark_applied():
        return
    row = {"status": str(ctx.object["status"]), "event_created": ctx.created}
    key = (subscriptions.c.tenant_id == ctx.tenant.slug) & (subscriptions.c.subscription_id == ctx.object_id)
    existing = (await ctx.session.execute(select(subscriptions.c.status).where(key))).first()
    if existing is None:
        await ctx.session.execute(
            insert(subscriptions).values(tenant_id=ctx.tenant.slug, subscription_id=ctx.object_id, **row)
        )
    else:
        await ctx.session.execute(update(subscriptions).where(key).values(**row))


async def product_changed(ctx: EventContext) -> None:
    # An older event is skipped; a newer one re-reads Stripe's current product, whatever its payload says.
    if not await ctx.mark_applied():
        return
    product = await ctx.refetch()
    key = (products.c.tenant_id == ctx.tenant.slug) & (products.c.product_id == product.id)
    if (await ctx.session.execute(update(products).where(key).values(name=product.name))).rowcount == 0:
        await ctx.session.execute(
            insert(products).values(tenant_id=ctx.tenant.slug, product_id=product.id, name=product.name)
        )


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, Any]:
    return {
        "invoice.paid": invoice_paid,
        "invoice.payment_failed": invoice_payment_failed,
        "customer.subscription.created": subscription_changed,
        "customer.subscription.updated": subscription_changed,
        "customer.subscription.deleted": subscription_changed,
        "product.created": product_changed,
        "product.updated": product_changed,
    }
