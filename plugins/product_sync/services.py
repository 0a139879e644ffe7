"""Rules of the catalog: the read API other plugins call (`Catalog`), the mirror's writes, the sync runs.

`Catalog` parses metadata when it is read, against the tenant's current tiers, so the credit terms
always agree with both the stored Stripe state and today's settings. `CatalogMirror` writes
Stripe's state as observed at a moment; the repository keeps whichever observation is newest.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.cursors import uuid_position
from core.errors import NotFound
from core.lists import Page, PageRequest
from plugins.product_sync import schemas
from plugins.product_sync.config import plan_tiers
from plugins.product_sync.metadata import CreditTerms, MetadataProblem, price_terms, product_terms
from plugins.product_sync.models import FAILED, QUEUED, SUCCEEDED, SyncedPrice, SyncedProduct, SyncRun
from plugins.product_sync.repository import PriceRepository, ProductRepository, SyncRunRepository
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.catalog import CatalogQuery
    from core.jobs import Jobs
    from core.kernel import Kernel

SYNC_TASK = "product_sync.sync_tenant"
SCHEDULE_TASK = "product_sync.sync_scheduled"


def _stripe_id(value: Any) -> str | None:
    """An id field that may come expanded (`{"id": ...}`) or as the bare id."""
    if isinstance(value, Mapping):
        return str(value["id"])
    return str(value) if value else None


class Catalog:
    """One tenant's synced catalog, read-only: the service API of the payg, subscriptions and entitlement code."""

    def __init__(self, session: AsyncSession, tenant: Tenant, tiers: frozenset[str] | None) -> None:
        self.session = session
        self.tenant = tenant
        self.tiers = tiers
        self.products = ProductRepository(session=session, tenant_id=tenant.slug)
        self.prices = PriceRepository(session=session, tenant_id=tenant.slug)

    @classmethod
    async def of(cls, kernel: Kernel, session: AsyncSession, tenant: Tenant) -> Catalog:
        """The tenant's catalog, its metadata read against the tiers its plans sell now."""
        return cls(session, tenant, await plan_tiers(kernel, tenant))

    async def answer(self, query: CatalogQuery) -> list[schemas.CatalogPrice]:
        """The `tollgate_catalog_prices` answer: see `core.catalog.CatalogQuery`."""
        if query.price_id is not None:
            found = await self.price(query.price_id)
            return [found] if found is not None else []
        if query.plan_tier is not None:
            return await self.prices_for_tier(query.plan_tier, query.interval, currency=query.currency)
        if query.credit_type == "payg":
            return await self.payg_prices(query.currency)
        return []

    async def price(self, stripe_price_id: str) -> schemas.CatalogPrice | None:
        """One price in any state (archived prices still bill existing subscriptions), or None."""
        found = await self.prices.one_with_product(stripe_price_id)
        return None if found is None else self._price(*found)

    async def prices_for_tier(
        self, tier: str, interval: str | None = None, *, currency: str | None = None
    ) -> list[schemas.CatalogPrice]:
        """Active recurring prices whose `plan_tier` is `tier`, optionally of one interval and currency."""
        rows = await self.prices.live_with_products(price_type="recurring", currency=currency)
        prices = [self._price(price, product) for price, product in rows]
        return [p for p in prices if p.active and p.plan_tier == tier and interval in (None, p.interval)]

    async def payg_prices(self, currency: str | None = None) -> list[schemas.CatalogPrice]:
        """Active one-time prices that sell pay-as-you-go credits: `credit_amount` credits per unit bought."""
        rows = await self.prices.live_with_products(price_type="one_time", currency=currency)
        prices = [self._price(price, product) for price, product in rows]
        return [
            p
            for p in prices
            if p.active and p.credit_type == "payg" and p.credit_amount is not None and p.unit_amount is not None
        ]

    async def feature_flags(self, stripe_price_ids: Iterable[str]) -> list[str]:
        """The union of the feature flags of these prices (in any state), in first-seen order."""
        flags: list[str] = []
        for price_id in stripe_price_ids:
            price = await self.price(price_id)
            flags.extend(f for f in (price.feature_flags if price else []) if f not in flags)
        return flags

    async def listing(self, *, include_inactive: bool = False) -> schemas.CatalogListing:
        products = await self.products.catalog(include_inactive=include_inactive)
        prices = await self.prices.of_products(
            [p.stripe_product_id for p in products], include_inactive=include_inactive
        )
        by_product: dict[str, list[SyncedPrice]] = {}
        for price in prices:
            by_product.setdefault(price.stripe_product_id, []).append(price)
        last = await SyncRunRepository(session=self.session, tenant_id=self.tenant.slug).page(None, 1)
        return schemas.CatalogListing(
            data=[self._product(p, by_product.get(p.stripe_product_id, [])) for p in products],
            has_more=False,
            next_cursor=None,
            last_sync=run_schema(last[0]) if last else None,
        )

    async def problems(self) -> list[MetadataProblem]:
        """Every metadata problem in the live catalog, product by product."""
        listing = await self.listing()
        return [problem for product in listing.data for problem in _problems_of(product)]

    def _price(self, price: SyncedPrice, product: SyncedProduct | None) -> schemas.CatalogPrice:
        return catalog_price(price, product, self.tiers)

    def _product(self, product: SyncedProduct, prices: Sequence[SyncedPrice]) -> schemas.CatalogProduct:
        terms, problems = product_terms(product.stripe_product_id, product.metadata_, self.tiers)
        return schemas.CatalogProduct(
            id=product.stripe_product_id,
            name=product.name,
            description=product.description,
            active=product.active and not product.deleted,
            deleted=product.deleted,
            default_price=product.default_price_id,
            **_terms_fields(terms, problems, product.metadata_),
            updated=product.stripe_updated,
            prices=[self._price(price, product) for price in prices],
        )


def catalog_price(
    price: SyncedPrice, product: SyncedProduct | None, tiers: frozenset[str] | None
) -> schemas.CatalogPrice:
    """A synced price with its product (None when it has not arrived yet), as the catalog answers it."""
    terms, problems = price_terms(
        product=price.stripe_product_id,
        product_metadata=product.metadata_ if product is not None else {},
        price=price.stripe_price_id,
        price_metadata=price.metadata_,
        price_type=price.type,
        tiers=tiers,
    )
    product_active = product is not None and product.active and not product.deleted
    price_active = price.active and not price.deleted
    return schemas.CatalogPrice(
        id=price.stripe_price_id,
        product=price.stripe_product_id,
        product_name=product.name if product is not None else None,
        currency=price.currency,
        unit_amount=price.unit_amount,
        type=price.type,
        interval=price.recurring_interval,
        interval_count=price.recurring_interval_count,
        lookup_key=price.lookup_key,
        nickname=price.nickname,
        active=price_active and product_active,
        price_active=price_active,
        product_active=product_active,
        is_default=product is not None and product.default_price_id == price.stripe_price_id,
        **_terms_fields(terms, problems, price.metadata_),
    )


def _terms_fields(terms: CreditTerms, problems: list[MetadataProblem], metadata: Mapping[str, str]) -> dict[str, Any]:
    """The fields products and prices both show: raw metadata, what it means, and what is wrong with it."""
    return {
        "credit_amount": terms.credit_amount,
        "credit_type": terms.credit_type,
        "plan_tier": terms.plan_tier,
        "feature_flags": list(terms.feature_flags),
        "metadata": dict(metadata),
        "problems": problems,
    }


def _problems_of(product: schemas.CatalogProduct) -> list[MetadataProblem]:
    return [*product.problems, *(problem for price in product.prices for problem in price.problems)]


def _product_row(product: Mapping[str, Any], observed_at: dt.datetime) -> dict[str, Any]:
    return {
        "stripe_product_id": str(product["id"]),
        "name": str(product.get("name") or ""),
        "description": product.get("description"),
        "active": bool(product.get("active")),
        "deleted": False,
        "metadata": {str(k): str(v) for k, v in (product.get("metadata") or {}).items()},
        "default_price_id": _stripe_id(product.get("default_price")),
        "stripe_created": int(product.get("created") or 0),
        "stripe_updated": int(product.get("updated") or product.get("created") or 0),
        "observed_at": observed_at,
    }


def _price_row(price: Mapping[str, Any], observed_at: dt.datetime) -> dict[str, Any]:
    recurring: Mapping[str, Any] = price.get("recurring") or {}
    return {
        "stripe_price_id": str(price["id"]),
        "stripe_product_id": _stripe_id(price.get("product")) or "",
        "active": bool(price.get("active")),
        "deleted": False,
        "currency": str(price.get("currency") or "").lower(),
        "unit_amount": price.get("unit_amount"),
        "type": str(price.get("type") or ("recurring" if recurring else "one_time")),
        "recurring_interval": recurring.get("interval"),
        "recurring_interval_count": recurring.get("interval_count"),
        "lookup_key": price.get("lookup_key"),
        "nickname": price.get("nickname"),
        "metadata": {str(k): str(v) for k, v in (price.get("metadata") or {}).items()},
        "stripe_created": int(price.get("created") or 0),
        "observed_at": observed_at,
    }


# A tombstone over an existing row changes only these; the rest keeps the last state seen alive.
_GONE = ("deleted", "active", "observed_at")


class CatalogMirror:
    """Writes Stripe's catalog state for one tenant, each write tagged with when it was observed.

    `observed_at` must be taken before the Stripe read started: a write whose read began before
    another's cannot replace it, whatever order the two transactions commit in.
    """

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.products = ProductRepository(session=session, tenant_id=tenant.slug)
        self.prices = PriceRepository(session=session, tenant_id=tenant.slug)

    async def observe_product(self, product: Mapping[str, Any], observed_at: dt.datetime) -> bool:
        """Store a product as Stripe showed it; False when a newer observation is kept instead."""
        return await self.products.record_product(_product_row(product, observed_at))

    async def observe_price(self, price: Mapping[str, Any], observed_at: dt.datetime) -> bool:
        """Store a price as Stripe showed it (its product may be expanded: only its id is kept here)."""
        return await self.prices.record(_price_row(price, observed_at))

    async def product_gone(self, product: Mapping[str, Any], observed_at: dt.datetime) -> bool:
        """Stripe no longer has the product: keep a tombstone (from the event's snapshot if it was never seen)."""
        row = _product_row(product, observed_at) | {"deleted": True, "active": False}
        return await self.products.record(row, update_keys=_GONE)

    async def price_gone(self, price: Mapping[str, Any], observed_at: dt.datetime) -> bool:
        row = _price_row(price, observed_at) | {"deleted": True, "active": False}
        return await self.prices.record(row, update_keys=_GONE)

    async def sweep(self, seen_since: dt.datetime) -> tuple[int, int]:
        """After a complete sync: mark gone what it did not see; returns (products, prices) deactivated."""
        return await self.products.sweep(seen_since), await self.prices.sweep(seen_since)


def run_schema(run: SyncRun) -> schemas.SyncRun:
    return schemas.SyncRun(
        id=run.id,
        status=run.status,
        trigger=run.trigger,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        products=run.products,
        prices=run.prices,
        stale_skipped=run.stale_skipped,
        deactivated_products=run.deactivated_products,
        deactivated_prices=run.deactivated_prices,
        problems=msgspec.convert(run.problems or [], list[MetadataProblem]),
        error=run.error,
    )


class SyncRuns:
    """The record of full syncs for one tenant: requested, claimed by one worker, counted, finished."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant
        self.repo = SyncRunRepository(session=session, tenant_id=tenant.slug)

    async def create(self, trigger: str) -> SyncRun:
        run = await self.repo.add(SyncRun(trigger=trigger, status=QUEUED))
        await self.session.flush()
        return run

    async def request(self, trigger: str, jobs: Jobs) -> SyncRun:
        """Queue a full sync (joining one still waiting to start) and send its task once committed."""
        run = await self.repo.waiting() or await self.create(trigger)
        # Sent again when joining: the broker may have lost the first send; a second copy finds the run taken.
        jobs.enqueue(self.session, SYNC_TASK, tenant=self.tenant.slug, run_id=str(run.id))
        return run

    async def get(self, run_id: uuid.UUID) -> SyncRun:
        run = await self.repo.get_one_or_none(id=run_id)
        if run is None:
            raise NotFound(f"No catalog sync run {run_id}.", code="sync_run_not_found")
        return run

    async def page(self, page: PageRequest) -> Page[schemas.SyncRun]:
        """Full syncs, newest first."""
        rows = await self.repo.page(page.position("sync_runs", uuid_position), page.fetch)
        return page.page(rows, "sync_runs", lambda run: run.id, (run_schema(run) for run in rows[: page.limit]))

    async def claim(self, run_id: uuid.UUID) -> dt.datetime | None:
        """Start a queued run; returns its start (what a row must be observed after to count as seen)."""
        started = clock.now()
        return started if await self.repo.claim(run_id, started) else None

    async def count(self, run_id: uuid.UUID, *, products: int = 0, prices: int = 0, stale: int = 0) -> None:
        run = await self.get(run_id)
        run.products += products
        run.prices += prices
        run.stale_skipped += stale
        await self.session.flush()

    async def finish(
        self,
        run_id: uuid.UUID,
        *,
        deactivated: tuple[int, int] = (0, 0),
        problems: Sequence[MetadataProblem] = (),
        error: str | None = None,
    ) -> SyncRun:
        run = await self.get(run_id)
        run.status = FAILED if error else SUCCEEDED
        run.finished_at = clock.now()
        run.deactivated_products, run.deactivated_prices = deactivated
        run.problems = msgspec.to_builtins(list(problems))
        run.error = error
        await self.session.flush()
        return run
