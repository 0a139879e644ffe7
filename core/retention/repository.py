"""The queries of retention, within one tenant: how many rows a kind would lose, and one batch of pruning.

Events, notifications and holds are pruned a batch at a time: the batch's rows are picked oldest first
with `FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite has one writer at a time), then changed by id with the
rule checked again, so a row that left the rule meanwhile (an event replayed) is left alone, and two runs
side by side take different rows. Audit records go as a prefix of the tenant's chain, never in pieces.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, literal_column, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.audit_trail.models import AuditRecord
from core.db import TenantOwned, scoped
from core.inbox.models import IGNORED, PROCESSED, WebhookEvent
from core.ledger.models import CreditHold
from core.notifications.models import DELIVERED, Notification
from core.retention.policy import AUDIT_RECORDS, CLOSED_HOLDS, NOTIFICATIONS, WEBHOOK_PAYLOADS

logger = logging.getLogger("tollgate.retention")


@dataclass(frozen=True)
class RowRule:
    """Which rows of a table one kind prunes (before a cutoff), oldest first, and what pruning does to them."""

    model: type[TenantOwned]
    # The column the batch's rows are taken in order of (an index leads there).
    oldest_first: Any
    conditions: Callable[[dt.datetime], list[Any]]
    # The columns a pruned row gets; None: the row is deleted.
    pruned: Callable[[dt.datetime], dict[str, Any]] | None = None


ROW_RULES: dict[str, RowRule] = {
    # Settled events only: a pending, processing, failed or dead one may still be processed or replayed.
    # The row stays (id, type, status, times); its body goes. `ix_webhook_events_unpruned` leads here.
    WEBHOOK_PAYLOADS: RowRule(
        WebhookEvent,
        WebhookEvent.created_at,
        lambda cutoff: [
            WebhookEvent.payload_pruned_at.is_(None),
            WebhookEvent.created_at < cutoff,
            WebhookEvent.status.in_((PROCESSED, IGNORED)),
        ],
        lambda now: {"payload": "", "payload_pruned_at": now, "updated_at": now},
    ),
    # Delivered notices only: a dead one stays until it is replayed and delivered. The next attempt of a
    # delivered notice is never before it was made, so the status index's range bounds the search.
    NOTIFICATIONS: RowRule(
        Notification,
        Notification.next_attempt_at,
        lambda cutoff: [
            Notification.status == DELIVERED,
            Notification.next_attempt_at < cutoff,
            Notification.created_at < cutoff,
        ],
    ),
    # Closed holds (captured, released, expired): no invariant reads them (docs/privacy.md#retention).
    # A literal status, so PostgreSQL matches the predicate of `ix_credit_holds_closed`.
    CLOSED_HOLDS: RowRule(
        CreditHold,
        CreditHold.closed_at,
        lambda cutoff: [CreditHold.status != literal_column("'active'"), CreditHold.closed_at < cutoff],
    ),
}


class RetentionRepository:
    """Counting and pruning one tenant's old rows, in the caller's transaction."""

    def __init__(self, session: AsyncSession, tenant_id: str) -> None:
        self.session = session
        self.tenant_id = tenant_id

    async def count(self, kind: str, cutoff: dt.datetime) -> int:
        """How many rows of `kind` a run would prune now."""
        if kind == AUDIT_RECORDS:
            return await self._count_audit(cutoff)
        rule = ROW_RULES[kind]
        statement = scoped(select(func.count()).select_from(rule.model), rule.model, self.tenant_id)
        return int((await self.session.execute(statement.where(*rule.conditions(cutoff)))).scalar_one())

    async def prune(self, kind: str, cutoff: dt.datetime, limit: int) -> int:
        """Prune the next batch of `kind` (about `limit` rows); returns how many went (0: none left)."""
        if kind == AUDIT_RECORDS:
            return await self._prune_audit(cutoff, limit)
        rule = ROW_RULES[kind]
        model = rule.model
        conditions = rule.conditions(cutoff)
        picked = (
            scoped(select(model.id), model, self.tenant_id)
            .where(*conditions)
            .order_by(rule.oldest_first)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        ids = list((await self.session.execute(picked)).scalars())
        if not ids:
            return 0
        change = delete(model) if rule.pruned is None else update(model).values(**rule.pruned(clock.now()))
        statement = (
            scoped(change, model, self.tenant_id)
            .where(model.id.in_(ids), *conditions)
            .execution_options(synchronize_session=False)
        )
        return int((await self.session.execute(statement)).rowcount)  # type: ignore[attr-defined]

    # -- audit records ------------------------------------------------------------------------------

    async def _count_audit(self, cutoff: dt.datetime) -> int:
        r = AuditRecord
        old = scoped(select(func.count()).select_from(r), r, self.tenant_id).where(r.occurred_at < cutoff)
        count = int((await self.session.execute(old)).scalar_one())
        newest = scoped(select(r.occurred_at), r, self.tenant_id).order_by(r.seq.desc()).limit(1)
        newest_at = (await self.session.execute(newest)).scalar_one_or_none()
        # The newest record stays whatever its age: the chain head names it.
        return count - 1 if newest_at is not None and newest_at < cutoff else count

    async def _prune_audit(self, cutoff: dt.datetime, limit: int) -> int:
        """Delete the oldest records before `cutoff`, at most about `limit`, as a prefix of the chain.

        `tollgate audit verify` starts a pruned chain at its oldest remaining record, so what goes must be
        records 1..k of what is left: never one from the middle, and never the newest (the chain head
        names it). PostgreSQL deletes through `audit_records_prune(tenant, before)` (the trigger refuses
        any other DELETE), which takes a time, not a `seq`: the bound is chosen so that exactly a prefix
        lies before it, and checked, since records are in time order only as far as the clock was.
        """
        r = AuditRecord
        rows = (
            await self.session.execute(
                scoped(select(r.seq, r.occurred_at), r, self.tenant_id).order_by(r.seq).limit(limit + 1)
            )
        ).all()
        newest = (await self.session.execute(scoped(select(func.max(r.seq)), r, self.tenant_id))).scalar_one()
        old = 0
        while old < min(limit, len(rows)) and rows[old].seq != newest and rows[old].occurred_at < cutoff:
            old += 1
        if old == 0:
            return 0
        # The first record that stays: everything before it goes, it and everything after it stays.
        before = min(cutoff, rows[old].occurred_at)
        going = scoped(select(func.count(), func.min(r.seq), func.max(r.seq)), r, self.tenant_id).where(
            r.occurred_at < before
        )
        count, first, last = (await self.session.execute(going)).one()
        if count == 0:
            return 0
        if first != rows[0].seq or last - first + 1 != count or last >= rows[old].seq:
            logger.warning(
                "retention of %s: audit records %s..%s are not in time order; none pruned (a person must look)",
                self.tenant_id,
                first,
                last,
            )
            return 0
        connection = await self.session.connection()
        if connection.dialect.name == "postgresql":
            pruned = await self.session.execute(
                text("SELECT audit_records_prune(:tenant, :before)"), {"tenant": self.tenant_id, "before": before}
            )
            return int(pruned.scalar_one())
        # SQLite: no trigger refuses a DELETE there (migration 0016).
        statement = scoped(delete(r), r, self.tenant_id).where(r.occurred_at < before)
        return int((await self.session.execute(statement)).rowcount)  # type: ignore[attr-defined]
