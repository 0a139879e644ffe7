"""Queries on the inbox and on the per-object ordering watermarks, always within one tenant."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, any_, bindparam, case, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from core import clock
from core.db import TenantRepository, conflict_insert, fetch_on_driver, scoped
from core.inbox.models import DELIVERY, IGNORED, PROCESSED, BackfillState, ObjectVersion, WebhookEvent
from core.retries import LeasedRepository, claimable


class NewEvent(NamedTuple):
    """A verified delivery, as the inbox stores it: the tenant comes from the URL Stripe posted to."""

    tenant_id: str
    stripe_event_id: str
    event_type: str
    object_id: str | None
    event_created: int
    payload: str
    status: str
    # Why an event stored `ignored` goes to no handler (see `route`).
    last_error: str | None = None


# Every row of a group commit in one statement, whatever the batch size (one prepared statement);
# a (tenant, event id) already stored, or stored by a concurrent batch that commits first, is skipped.
# A row marked `checked` (it names a Stripe customer) is not stored when its tenant has erased
# customers (a digest key in `privacy_salts`): the statement answers that tenant's key instead, for
# the event to be scrubbed first. The tenants of the batch are the ones the rows name.
_INSERT_BATCH = """
WITH new AS (
    SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                         $8::text[], $9::text[], $12::bool[])
        AS new (id, tenant_id, stripe_event_id, event_type, object_id, event_created, payload, status, last_error,
                checked)
), salted AS (
    SELECT tenant_id, salt FROM privacy_salts
    WHERE tenant_id IN (SELECT tenant_id FROM new WHERE checked)
), stored AS (
    INSERT INTO webhook_events (id, tenant_id, stripe_event_id, event_type, object_id, event_created, payload,
                                status, last_error, attempts, next_attempt_at, processed_at, handlers, created_at,
                                updated_at)
    SELECT id, tenant_id, stripe_event_id, event_type, object_id, event_created, payload, status,
           last_error, 0, $10, CASE WHEN status = $11 THEN $10::timestamptz END, '[]'::jsonb, $10, $10
    FROM new WHERE NOT (checked AND tenant_id IN (SELECT tenant_id FROM salted))
    ON CONFLICT (tenant_id, stripe_event_id) DO NOTHING
    RETURNING id, tenant_id, stripe_event_id
)
SELECT id, tenant_id, stripe_event_id, NULL AS salt FROM stored
UNION ALL SELECT NULL, tenant_id, NULL, salt FROM salted
"""


async def insert_batch(
    connection: Any, events: Sequence[NewEvent], now: dt.datetime
) -> dict[tuple[str, str], uuid.UUID]:
    """Store events of any tenants in one statement (PostgreSQL); answers the new rows' ids by (tenant, event id).

    `connection` is an asyncpg connection (the driver's own, under a pooled SQLAlchemy one).
    Run outside a transaction, the statement is its own: every row is committed when this returns.
    `events` must not repeat a (tenant, event id).
    """
    new, _ = await insert_batch_unless_salted(connection, events, [False] * len(events), now)
    return new


async def insert_batch_unless_salted(
    connection: Any, events: Sequence[NewEvent], checked: Sequence[bool], now: dt.datetime
) -> tuple[dict[tuple[str, str], uuid.UUID], dict[str, str]]:
    """`insert_batch`, leaving out each `checked` event of a tenant with erased customers: answers the new
    rows' ids, and the digest keys of those tenants (the left-out events are to be scrubbed first)."""
    columns = list(zip(*events, strict=True))
    rows = await connection.fetch(_INSERT_BATCH, [uuid7() for _ in events], *columns, now, IGNORED, list(checked))
    new = {(row["tenant_id"], row["stripe_event_id"]): row["id"] for row in rows if row["salt"] is None}
    return new, {row["tenant_id"]: row["salt"] for row in rows if row["salt"] is not None}


@functools.cache
def _first_attempt_statement() -> Any:
    """Take and settle events never attempted nor re-sent, in one UPDATE (PostgreSQL), built once.

    `handlers_by_type` (JSON: event type -> the plugins that handle it for the tenant) decides the new
    status and the `handlers` column, since the event's type is known only once the row is read.
    """
    model = WebhookEvent
    now: Any = bindparam("now")
    handlers_by_type: Any = bindparam("handlers_by_type", type_=JSONB)
    plugins_of_type = handlers_by_type.op("->", return_type=JSONB)(model.event_type)
    # The rows are found, and locked, by their ids alone; the tenant and the state are checked on the
    # locked rows. With those conditions on the table, a planner without fresh statistics (a burst
    # after a quiet spell, a new deployment) found the rows through `ix_..._tenant_status_due`,
    # reading every pending row for each batch: 30-70 ms per 64 events with 140,000 pending. FOR
    # UPDATE waits for a concurrent claim and answers the row as that claim left it, so the state
    # checked is the current one. (A row of another tenant under one of the ids, which only a forged
    # task could name, is locked until the commit, never changed nor answered.)
    ids: Any = bindparam("row_ids", type_=ARRAY(UUID(as_uuid=True)))
    state = (model.tenant_id, model.status, model.attempts, model.next_attempt_at, model.locked_until)
    locked = (
        select(model.id, *state, model.created_at)
        .where(model.id == any_(ids))
        .with_for_update()
        .cte("locked")
        .prefix_with("MATERIALIZED")
    )
    row: Any = locked.c
    tenant: Any = bindparam("tenant")
    # What the general claim takes, never attempted nor re-sent (ingest wrote both times at once).
    first_attempt = and_(
        claimable(row, now, bindparam("max_attempts")),
        row.attempts == 0,
        row.next_attempt_at == row.created_at,
    )
    return (
        scoped(update(model), row, tenant)
        .execution_options(synchronize_session=False)
        .where(model.id == row.id, first_attempt)
        .values(
            status=case((handlers_by_type.has_key(model.event_type), PROCESSED), else_=IGNORED),
            handlers=func.coalesce(plugins_of_type, literal_column("'[]'::jsonb")),
            attempts=model.attempts + 1,
            processed_at=now,
            updated_at=now,
        )
        .returning(model.id, model.status, model.event_type, model.payload, model.created_at)
    )


class InboxRepository(LeasedRepository[WebhookEvent]):
    model_type = WebhookEvent

    def replayable(self) -> Any:
        # An event whose body retention dropped has nothing left to apply.
        return WebhookEvent.payload_pruned_at.is_(None)

    async def settle_first_attempts(
        self, row_ids: list[uuid.UUID], handlers_by_type: str, now: dt.datetime, *, max_attempts: int
    ) -> list[Any]:
        """Take the events' first attempts and settle them at once; skips any attempted or re-sent before.

        For first attempts run in one transaction (`driver_transaction`, PostgreSQL): the rows stay
        locked until the caller's transaction ends, so no lease is needed, and a rollback leaves them
        as they were. Answers `id`, `status`, `event_type`, `payload` and `created_at` of each row taken.
        """
        params = {
            "tenant": self.tenant_id,
            "row_ids": row_ids,
            "handlers_by_type": handlers_by_type,
            "now": now,
            "max_attempts": max_attempts,
        }
        return await fetch_on_driver(self.session, _first_attempt_statement(), params)

    async def insert_new(self, event: NewEvent, now: dt.datetime, *, source: str = DELIVERY) -> uuid.UUID | None:
        """Store the event; None when this tenant already has it (Stripe delivered it again)."""
        if event.tenant_id != self.tenant_id:
            raise PermissionError(f"an event of tenant {event.tenant_id!r} stored through {self.tenant_id!r}")
        values = {
            "id": uuid7(),
            "tenant_id": self.tenant_id,
            "stripe_event_id": event.stripe_event_id,
            "event_type": event.event_type,
            "object_id": event.object_id,
            "event_created": event.event_created,
            "payload": event.payload,
            "status": event.status,
            "last_error": event.last_error,
            "attempts": 0,
            "next_attempt_at": now,
            "processed_at": now if event.status == IGNORED else None,
            "handlers": [],
            "source": source,
            "created_at": now,
            "updated_at": now,
        }
        statement = conflict_insert(WebhookEvent.__table__, tuple(values), ("tenant_id", "stripe_event_id"))
        row_id: uuid.UUID | None = (await self._run(statement, values)).scalar_one_or_none()
        return row_id

    async def page(
        self,
        *,
        statuses: Sequence[str] = (),
        event_type: str | None = None,
        before: uuid.UUID | None = None,
        limit: int,
        source: str | None = None,
    ) -> list[WebhookEvent]:
        """`LeasedRepository.page`, and only the events that came one way (`delivery`, `backfill`) when asked."""
        if source is None:
            return await super().page(statuses=statuses, event_type=event_type, before=before, limit=limit)
        statement = self.select().where(WebhookEvent.source == source)
        if statuses:
            statement = statement.where(WebhookEvent.status.in_(statuses))
        if event_type:
            statement = statement.where(WebhookEvent.event_type == event_type)
        if before is not None:
            statement = statement.where(WebhookEvent.id < before)
        statement = statement.order_by(WebhookEvent.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def by_stripe_id(self, stripe_event_id: str) -> WebhookEvent | None:
        statement = self.select().where(WebhookEvent.stripe_event_id == stripe_event_id)
        return (await self.session.execute(statement)).scalar_one_or_none()


class ObjectVersionRepository(TenantRepository[ObjectVersion]):
    model_type = ObjectVersion

    async def latest(self, object_id: str) -> ObjectVersion | None:
        statement = self.select().where(ObjectVersion.object_id == object_id)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def advance(self, object_id: str, event_created: int, event_id: str, now: dt.datetime) -> bool:
        """Make this event the object's newest applied one, unless a newer one is; True when it now is.

        One statement (an upsert guarded by `created`), so two workers racing on one object cannot
        both win, and the row stays locked until the caller's transaction ends.
        """
        values = {
            "id": uuid7(),
            "tenant_id": self.tenant_id,
            "object_id": object_id,
            "event_created": event_created,
            "event_id": event_id,
            "created_at": now,
            "updated_at": now,
        }
        statement = conflict_insert(
            ObjectVersion.__table__,
            tuple(values),
            ("tenant_id", "object_id"),
            update=("event_created", "event_id", "updated_at"),
            only_if="stripe_object_versions.event_created <= excluded.event_created",
        )
        return (await self.session.execute(statement, values)).scalar_one_or_none() is not None


# ---- the backfill's per-tenant row (core/inbox/backfill.py, core/inbox/signature_watch.py) ------------------


async def ensure_state(session: AsyncSession, tenant: str) -> None:
    """Make the tenant's row if it has none (no-op when another process just did)."""
    now = clock.now()
    values = {
        "id": uuid7(),
        "tenant_id": tenant,
        "run_pages": 0,
        "run_seen": 0,
        "run_stored": 0,
        "seen_total": 0,
        "stored_total": 0,
        "signature_failures": 0,
        "created_at": now,
        "updated_at": now,
    }
    await session.execute(conflict_insert(BackfillState.__table__, tuple(values), ("tenant_id",)), values)


async def read_state(session: AsyncSession, tenant: str, *, lock: bool = False) -> BackfillState | None:
    statement = scoped(select(BackfillState), BackfillState, tenant)
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).scalar_one_or_none()
