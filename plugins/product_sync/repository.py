"""Queries on the catalog mirror and the sync runs, always within one tenant.

Writes of Stripe state are single guarded upserts: the row changes only when the incoming
observation is newer than the stored one, decided by the database under the row's lock, so two
writers racing on one object cannot both win and the older one cannot land last.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, select, update
from sqlalchemy.sql import ColumnElement

from core.db import TenantRepository, insert_for, scoped
from plugins.product_sync.models import QUEUED, RUNNING, SyncedPrice, SyncedProduct, SyncRun

Mirrored = TypeVar("Mirrored", SyncedProduct, SyncedPrice)
Guard = Callable[[Any], ColumnElement[bool]]


# A synced price's product (a price's event may arrive before its product's: outer-join on it).
PRODUCT_OF_PRICE = and_(
    SyncedProduct.tenant_id == SyncedPrice.tenant_id,
    SyncedProduct.stripe_product_id == SyncedPrice.stripe_product_id,
)


class MirrorRepository(TenantRepository[Mirrored], Generic[Mirrored]):
    """Shared by products and prices: the guarded upsert and the sweep of rows a sync did not see."""

    stripe_key: str

    async def record(
        self, values: Mapping[str, Any], *, guard: Guard | None = None, update_keys: Sequence[str] | None = None
    ) -> bool:
        """Insert or update one object's row from an observation; False when a newer one is stored.

        `values` is keyed by column name and carries `observed_at`; `guard(excluded)` may add a
        condition comparing the stored row with the incoming one (`excluded`); `update_keys` limits
        what an existing row takes from `values` (all by default).
        """
        model = self.model_type
        # The table, not the entity: `values` and `excluded` then speak column names (`metadata`).
        table: Any = model.__table__
        insert = insert_for(self.session, table)
        now = values["observed_at"]
        row = {"tenant_id": self.tenant_id, **values, "created_at": now, "updated_at": now}
        newer = model.observed_at < insert.excluded.observed_at
        statement = insert.values(row).on_conflict_do_update(
            index_elements=["tenant_id", self.stripe_key],
            set_={key: insert.excluded[key] for key in update_keys or values if key != self.stripe_key}
            | {"updated_at": now},
            where=newer if guard is None else and_(newer, guard(insert.excluded)),
        )
        applied = await self.session.execute(statement.returning(model.id))
        return applied.scalar_one_or_none() is not None

    async def sweep(self, seen_since: dt.datetime) -> int:
        """Mark deleted every live row not observed since `seen_since` (the start of a complete sync)."""
        model = self.model_type
        statement = scoped(update(model), model, self.tenant_id).where(
            model.deleted.is_(False), model.observed_at < seen_since
        )
        # The sweep knows the object was absent as of the sync's start, no later: any read after that wins.
        result: Any = await self.session.execute(
            statement.values(deleted=True, active=False, observed_at=seen_since, updated_at=seen_since),
            execution_options={"synchronize_session": False},
        )
        return int(result.rowcount or 0)


class ProductRepository(MirrorRepository[SyncedProduct]):
    model_type = SyncedProduct
    stripe_key = "stripe_product_id"

    async def record_product(self, values: Mapping[str, Any]) -> bool:
        """An observed product; Stripe's `updated` may never go backwards either."""
        return await self.record(values, guard=lambda excluded: SyncedProduct.stripe_updated <= excluded.stripe_updated)

    async def by_stripe_id(self, stripe_product_id: str) -> SyncedProduct | None:
        statement = self.select().where(SyncedProduct.stripe_product_id == stripe_product_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def catalog(self, *, include_inactive: bool) -> Sequence[SyncedProduct]:
        statement = self.select().order_by(SyncedProduct.stripe_created, SyncedProduct.stripe_product_id)
        if not include_inactive:
            statement = statement.where(SyncedProduct.active.is_(True), SyncedProduct.deleted.is_(False))
        return (await self.session.execute(statement)).scalars().all()


class PriceRepository(MirrorRepository[SyncedPrice]):
    model_type = SyncedPrice
    stripe_key = "stripe_price_id"

    def with_products(self) -> Any:
        """Prices with their product (None when it has not arrived yet), in creation order."""
        statement = select(SyncedPrice, SyncedProduct).outerjoin(SyncedProduct, PRODUCT_OF_PRICE)
        return scoped(statement, SyncedPrice, self.tenant_id).order_by(
            SyncedPrice.stripe_created, SyncedPrice.stripe_price_id
        )

    async def one_with_product(self, stripe_price_id: str) -> tuple[SyncedPrice, SyncedProduct | None] | None:
        statement = self.with_products().where(SyncedPrice.stripe_price_id == stripe_price_id)
        row = (await self.session.execute(statement)).one_or_none()
        return None if row is None else (row[0], row[1])

    async def live_with_products(
        self, *, price_type: str | None = None, currency: str | None = None
    ) -> list[tuple[SyncedPrice, SyncedProduct | None]]:
        statement = self.with_products().where(SyncedPrice.active.is_(True), SyncedPrice.deleted.is_(False))
        if price_type is not None:
            statement = statement.where(SyncedPrice.type == price_type)
        if currency is not None:
            statement = statement.where(SyncedPrice.currency == currency.lower())
        return [(row[0], row[1]) for row in (await self.session.execute(statement)).all()]

    async def of_products(self, stripe_product_ids: Iterable[str], *, include_inactive: bool) -> Sequence[SyncedPrice]:
        statement = self.select().where(SyncedPrice.stripe_product_id.in_(list(stripe_product_ids)))
        if not include_inactive:
            statement = statement.where(SyncedPrice.active.is_(True), SyncedPrice.deleted.is_(False))
        statement = statement.order_by(SyncedPrice.stripe_created, SyncedPrice.stripe_price_id)
        return (await self.session.execute(statement)).scalars().all()


class SyncRunRepository(TenantRepository[SyncRun]):
    model_type = SyncRun

    async def page(self, before: uuid.UUID | None, limit: int) -> Sequence[SyncRun]:
        """Newest first (ids are UUIDv7, so time-ordered); `before` is the last id of the previous page."""
        statement = self.select()
        if before is not None:
            statement = statement.where(SyncRun.id < before)
        return (await self.session.execute(statement.order_by(SyncRun.id.desc()).limit(limit))).scalars().all()

    async def waiting(self) -> SyncRun | None:
        """The oldest run still queued, if any (a new request joins it rather than queueing another)."""
        statement = self.select().where(SyncRun.status == QUEUED).order_by(SyncRun.created_at).limit(1)
        return (await self.session.execute(statement)).scalars().first()

    async def claim(self, run_id: uuid.UUID, now: dt.datetime) -> bool:
        """Move a queued run to running; False when it is not queued (already taken or finished)."""
        statement = scoped(update(SyncRun), SyncRun, self.tenant_id).where(
            SyncRun.id == run_id, SyncRun.status == QUEUED
        )
        result: Any = await self.session.execute(
            statement.values(status=RUNNING, started_at=now, updated_at=now),
            execution_options={"synchronize_session": False},
        )
        return bool(result.rowcount)
