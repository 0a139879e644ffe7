"""Applying one tenant's retention policy: each kind in short batches, each batch its own transaction.

A run keeps no state of its own: every batch picks the rows the policy prunes now, so a run killed
between batches has lost nothing, the next run takes what is left, and a second run finds nothing to do.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core import clock, metrics
from core.db import after_commit, session_scope
from core.retention.policy import KINDS, RetentionPolicy, policy_for
from core.retention.repository import RetentionRepository

if TYPE_CHECKING:
    from core.kernel import Kernel
    from tenants.registry import Tenant

logger = logging.getLogger("tollgate.retention")

# Called after each batch with its kind and the rows it pruned (the CLI's progress).
OnBatch = Callable[[str, int], None]


@dataclass
class RetentionRun:
    """What one run did to (or, dry, would do to) one tenant's rows, by kind."""

    tenant: str
    dry_run: bool
    pruned: dict[str, int] = field(default_factory=dict)
    # False when a kind stopped at its batch limit with rows left (the scheduled task sends itself again).
    complete: bool = True

    def line(self) -> str:
        verb = "would prune" if self.dry_run else "pruned"
        counts = ", ".join(f"{self.pruned.get(kind, 0)} {kind}" for kind in KINDS)
        return f"retention of {self.tenant}: {verb} {counts}" + ("" if self.complete else " (more left)")


class Retention:
    """One tenant's retention: count what its policy prunes, or prune it."""

    def __init__(self, kernel: Kernel, tenant: Tenant) -> None:
        self.kernel = kernel
        self.tenant = tenant
        self.policy: RetentionPolicy = policy_for(kernel.config.retention, tenant)
        self.batch_size = kernel.config.retention.batch_size

    async def count(self) -> dict[str, int]:
        """How many rows of each kind a run would prune now (a dry run; nothing changes)."""
        cutoffs = self.policy.cutoffs(clock.now())
        async with session_scope(self.kernel.sessions) as session:
            repo = RetentionRepository(session, self.tenant.slug)
            return {kind: await repo.count(kind, cutoffs[kind]) for kind in KINDS}

    async def run(
        self, *, dry_run: bool = False, max_batches: int | None = None, on_batch: OnBatch | None = None
    ) -> RetentionRun:
        """Prune every kind, oldest rows first, `batch_size` rows a transaction; at most `max_batches` per kind."""
        result = RetentionRun(self.tenant.slug, dry_run)
        if dry_run:
            result.pruned = await self.count()
        else:
            cutoffs = self.policy.cutoffs(clock.now())
            for kind in KINDS:
                result.pruned[kind], done = await self._prune(kind, cutoffs[kind], max_batches, on_batch)
                result.complete &= done
        logger.info(result.line())
        return result

    async def _prune(
        self, kind: str, cutoff: dt.datetime, max_batches: int | None, on_batch: OnBatch | None
    ) -> tuple[int, bool]:
        """Batches of `kind` until none is left (True) or `max_batches` ran (False)."""
        total = batches = 0
        while max_batches is None or batches < max_batches:
            async with session_scope(self.kernel.sessions) as session:
                pruned = await RetentionRepository(session, self.tenant.slug).prune(kind, cutoff, self.batch_size)
                if pruned:
                    after_commit(session, metrics.retention_pruned(self.tenant.slug, kind, pruned))
            batches += 1
            total += pruned
            if on_batch is not None:
                on_batch(kind, pruned)
            if not pruned:
                return total, True
        return total, False
