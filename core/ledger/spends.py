"""`POST /spend`'s path: on PostgreSQL, the process's queued spends go to the database as one call.

A spend is the ledger's hottest write: every request a tenant app's users make spends credits.
`Ledger.spend` takes six statements and a transaction through SQLAlchemy (lock, idempotency key,
grants, writes, commit). On PostgreSQL the common case goes to `tollgate_spend` (migration 0008)
instead, as a group commit: spends queue in the process, and one flush sends everything queued by
then, of any customers and tenants, as one prepared statement on an asyncpg connection the path
keeps checked out (`core.db.HeldConnection`), one round trip and one transaction
(`core.batching.GroupCommit`). One flush runs at a time; while it runs, the next batch gathers. A
hot customer costs one row lock and one commit per batch instead of per request.

The function spends, records an unlimited account's usage, or refuses as insufficient (nothing
written); it hands a spend back when the rules need Python (no account yet, something lapsed, an
idempotency key seen before, the low-balance notice, drift). A handed-back spend goes through
`Ledger.spend` in its own session, in the customer's turn. Spends that were in flight together
have no order between them; one answered before another was sent is written before it.

A batch takes its accounts' locks skipping those another transaction holds (the expiry job, a
refund, a clawback, another process's batch): the spends of such an account come back `locked`
and are sent again in a call of their own that waits for the lock, gathered per account
(`_waiting_lanes`), while the next batches of the process go on without them; the account's next
spends join them there while any wait. So one held account stalls only its own spends, and a hot
customer that several processes spend takes one waiting call per batch, not a skipped one first.
The spends of an account with a grant lapsed come back `due`: the account is settled set-based
first (`tollgate_expire`, as the expiry job does it), and they are sent again; only an account
with a lapsed hold is settled by `Ledger.spend`. SQLite always uses `Ledger.spend`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import TYPE_CHECKING

import msgspec

from core import clock, metrics
from core.batching import GroupCommit
from core.db import HeldConnection, driver_connection, session_scope
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
    " FROM tollgate_spend($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"
)
EXPIRE_SQL = "SELECT r_accounts FROM tollgate_expire($1, $2, $3, $4)"


class Handback(Enum):
    """Why the function did not decide a spend: the rules need Python, its account was held, or
    something of its account has lapsed."""

    PYTHON = "fallback"
    LOCKED = "locked"
    DUE = "due"


Answer = schemas.Spend | Handback


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
        # Each spend's answer: the function's (a spend, or its refusal), or why it handed it back.
        self._batches: GroupCommit[Queued, Answer] = GroupCommit(self._call, max_batch=MAX_BATCH, flushes=MAX_FLUSHES)
        # Per account held by another transaction: its spends, sent again waiting for the lock.
        self._waiting_lanes: dict[tuple[str, str], GroupCommit[Queued, Answer]] = {}
        # The batches' connection, kept out of the pool: one flush runs at a time.
        self._connection = HeldConnection(runtime.engine)
        # Since start: function calls, spends they decided, spends handed back to `Ledger.spend`,
        # spends sent again to wait for their account's lock.
        self.stats = {"batches": 0, "decided": 0, "handed_back": 0, "waited": 0}

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
            answer = await self._send(queued)
            if answer is Handback.DUE:
                await self._expire(queued)
                answer = await self._send(queued)
            if answer is Handback.LOCKED:
                self.stats["waited"] += 1
                answer = await self._wait_for_lock(queued)
            if not isinstance(answer, Handback):
                return answer
            self.stats["handed_back"] += 1
        async with TURNS.turn(tenant.slug, customer), session_scope(self.runtime.sessions) as session:
            return await Ledger(session, tenant).spend(
                customer, amount, reason=reason, metadata=meta, idempotency_key=idempotency_key
            )

    async def close(self) -> None:
        """Send the spends queued so far and wait for their answers; a spend after this is refused (503)."""
        await self._batches.close()
        for lane in list(self._waiting_lanes.values()):
            await lane.close()
        await self._connection.release()

    async def _expire(self, queued: Queued) -> None:
        """Settle the spend's account set-based (`tollgate_expire`), unless another transaction holds it
        or it has a lapsed hold: then the spend, due again, goes through `Ledger.spend`."""
        async with driver_connection(self.runtime.engine) as connection, connection.transaction():
            await connection.fetchval(EXPIRE_SQL, clock.now(), queued.tenant.slug, 1, [queued.customer])

    async def _send(self, queued: Queued) -> Answer:
        """The spend in the process's next batch; or, while other spends of its account wait for its lock,
        with them: a batch would only find the account held again (a hot customer spent by several
        processes), and the spend would wait after a round trip for nothing."""
        if (queued.tenant.slug, queued.customer) in self._waiting_lanes:
            self.stats["waited"] += 1
            return await self._wait_for_lock(queued)
        return await self._batches.submit(queued)

    async def _wait_for_lock(self, queued: Queued) -> Answer:
        """The spend sent again with the others of its account that found it held, waiting for the lock."""
        account = (queued.tenant.slug, queued.customer)
        lane = self._waiting_lanes.get(account)
        if lane is None:
            lane = GroupCommit(partial(self._call, wait=True), max_batch=MAX_BATCH)
            self._waiting_lanes[account] = lane
        try:
            return await lane.submit(queued)
        finally:
            if lane.idle and self._waiting_lanes.get(account) is lane:
                del self._waiting_lanes[account]

    async def _call(self, batch: list[Queued], *, wait: bool = False) -> Sequence[Answer | Exception]:
        """One `tollgate_spend` call for the batch: each spend's answer, or why it was handed back.

        Without `wait`, accounts another transaction holds are skipped (their spends: `locked`);
        with it, the call waits for their locks. A failure (the database went away) rolls the
        call's transaction back, and each of its spends fails with the error; the connection is
        dropped (`driver_connection`, `HeldConnection`).
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
            wait,
        )
        use = driver_connection(self.runtime.engine) if wait else self._connection.use()
        async with use as connection:
            rows = await connection.fetch(SPEND_SQL, *params)
        self.stats["batches"] += 1
        answers: list[Answer | Exception] = [Handback.PYTHON] * len(batch)
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
            elif outcome == "locked" and not wait:
                answers[item - 1] = Handback.LOCKED
            elif outcome == "due":
                answers[item - 1] = Handback.DUE
        return answers
