"""`POST /spend`'s path: on PostgreSQL, the process's queued spends go to the database as one call.

A spend is the ledger's hottest write: every request a tenant app's users make spends credits.
`Ledger.spend` takes six statements and a transaction through SQLAlchemy (lock, idempotency key,
grants, writes, commit). On PostgreSQL the common case goes to `tollgate_spend` (migration 0008)
instead, as a group commit: spends queue in the process, and one flush sends everything queued by
then, of any customers and tenants, as one prepared statement on a pooled asyncpg connection, one
round trip and one transaction (`core.batching.GroupCommit`). One flush runs at a time; while it
runs, the next batch gathers. A hot customer costs one row lock and one commit per batch instead of
per request.

The function spends, records an unlimited account's usage, or refuses as insufficient (nothing
written); it hands a spend back when the rules need Python (no account yet, something lapsed, an
idempotency key seen before, the low-balance notice, drift). A handed-back spend goes through
`Ledger.spend` in its own session, in the customer's turn. Spends that were in flight together
have no order between them; one answered before another was sent is written before it.
SQLite always uses `Ledger.spend`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from core import clock, metrics
from core.batching import GroupCommit
from core.db import driver_connection, session_scope
from core.ledger import schemas
from core.ledger.repository import new_id
from core.ledger.services import Ledger, insufficient, spend_request
from core.ledger.turns import TURNS
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.kernel import Kernel

# The most spends sent in one call, and how many calls may be in flight at once.
MAX_BATCH = 256
MAX_FLUSHES = 1
# Ids handed to the function: two per spend (its entry, one allocation: most spends take one grant)
# and spare ones for the few that span several (a spend finding too few left is handed back).
SPARE_IDS = 8
SPEND_SQL = (
    "SELECT r_item, r_outcome, r_entry, r_balance, r_grants, r_parts"
    " FROM tollgate_spend($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
)


@dataclass
class Queued:
    tenant: Tenant
    customer: str
    amount: int
    reason: str | None
    metadata: dict[str, str]
    key: str | None
    fingerprint: str | None


class Spends:
    """The spend path of one process; on PostgreSQL the group commit described above."""

    def __init__(self, runtime: Kernel) -> None:
        self.runtime = runtime
        self.batched = runtime.engine.dialect.name == "postgresql"
        # Each spend's answer: the function's (a spend, or its refusal), or None when it handed it back.
        self._batches: GroupCommit[Queued, schemas.Spend | None] = GroupCommit(
            self._call, max_batch=MAX_BATCH, flushes=MAX_FLUSHES
        )
        # Since start: function calls, spends they decided, spends handed back to `Ledger.spend`.
        self.stats = {"batches": 0, "decided": 0, "handed_back": 0}

    async def spend(
        self,
        tenant: Tenant,
        customer: str,
        amount: int,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        idempotency_key: str | None = None,
    ) -> schemas.Spend:
        """`Ledger.spend`'s answer (or its error), committed."""
        with metrics.spend_counted(tenant.slug):
            return await self._spend(
                tenant, customer, amount, reason=reason, metadata=metadata, idempotency_key=idempotency_key
            )

    async def _spend(
        self,
        tenant: Tenant,
        customer: str,
        amount: int,
        *,
        reason: str | None,
        metadata: Mapping[str, str] | None,
        idempotency_key: str | None,
    ) -> schemas.Spend:
        meta, fingerprint = spend_request(amount, reason, metadata, idempotency_key)
        queued = Queued(tenant, customer, amount, reason, meta, idempotency_key, fingerprint)
        if self.batched:
            answer = await self._batches.submit(queued)
            if answer is not None:
                return answer
            self.stats["handed_back"] += 1
        async with TURNS.turn(tenant.slug, customer), session_scope(self.runtime.sessions) as session:
            return await Ledger(session, tenant).spend(
                customer, amount, reason=reason, metadata=meta, idempotency_key=idempotency_key
            )

    async def close(self) -> None:
        """Send the spends queued so far and wait for their answers; a spend after this is refused (503)."""
        await self._batches.close()

    async def _call(self, batch: list[Queued]) -> Sequence[schemas.Spend | Exception | None]:
        """One `tollgate_spend` call for the batch: each spend's answer, or None where it was handed back.

        A failure (the database went away) rolls the call's transaction back, and each of its
        spends fails with the error; the connection is dropped (`driver_connection`).
        """
        now = clock.now()
        slots: dict[tuple[str, str], int] = {}
        tenants: list[str] = []
        customers: list[str] = []
        thresholds: list[int] = []
        for queued in batch:
            account = (queued.tenant.slug, queued.customer)
            if account not in slots:
                slots[account] = len(slots) + 1
                tenants.append(queued.tenant.slug)
                customers.append(queued.customer)
                thresholds.append(queued.tenant.core.notifications.credits_low_threshold)
        params = (
            now,
            tenants,
            customers,
            thresholds,
            [slots[(q.tenant.slug, q.customer)] for q in batch],
            [q.amount for q in batch],
            [q.key for q in batch],
            [q.fingerprint for q in batch],
            [q.reason for q in batch],
            [msgspec.json.encode(q.metadata).decode() for q in batch],
            [new_id() for _ in range(2 * len(batch) + SPARE_IDS)],
        )
        async with driver_connection(self.runtime.engine) as connection:
            rows = await connection.fetch(SPEND_SQL, *params)
        self.stats["batches"] += 1
        answers: list[schemas.Spend | Exception | None] = [None] * len(batch)
        for item, outcome, entry_id, balance, grants, parts in rows:
            queued = batch[item - 1]
            if outcome in {"spent", "unlimited"}:
                self.stats["decided"] += 1
                unlimited = outcome == "unlimited"
                answer = schemas.Spend(
                    entry_id=str(entry_id),
                    customer=queued.customer,
                    credits=queued.amount,
                    charged=0 if unlimited else queued.amount,
                    balance=balance,
                    unlimited=unlimited,
                    allocations=[schemas.Allocation(str(g), n) for g, n in zip(grants, parts, strict=True)],
                    reason=queued.reason,
                    metadata=queued.metadata,
                    created_at=now,
                )
                answers[item - 1] = answer
            elif outcome == "insufficient":
                self.stats["decided"] += 1
                answers[item - 1] = insufficient(balance, queued.amount)
        return answers
