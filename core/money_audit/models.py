"""The audit's tables: one row per run (period, trigger, outcome, counts), one per difference it found."""

from __future__ import annotations

import datetime as dt
from typing import Any, Final
from uuid import UUID

from advanced_alchemy.types import JsonB
from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned

# Run outcomes: clean (no difference left open), differences (some open), failed (Stripe or the database failed).
CLEAN: Final = "clean"
DIFFERENCES: Final = "differences"
FAILED: Final = "failed"
RUNNING: Final = "running"
# A difference is open (a person must look) or repaired (the missing event was stored and applied).
OPEN: Final = "open"
REPAIRED: Final = "repaired"


class MoneyAuditRun(TenantOwned):
    """One audit of one tenant's period `[since, until)` against Stripe."""

    __tablename__ = "money_audit_runs"
    __table_args__ = (Index("ix_money_audit_runs_tenant_created", "tenant_id", "created_at"),)

    since: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    until: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    # schedule | cli | api
    trigger: Mapped[str] = mapped_column(String(16))
    repair: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default=RUNNING)
    # Stripe objects read, by kind (`invoices`, `payment_intents`, ...).
    objects: Mapped[dict[str, Any]] = mapped_column(JsonB, default=dict)
    open_differences: Mapped[int] = mapped_column(Integer, default=0)
    repaired_differences: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(1000), default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class MoneyAuditDifference(TenantOwned):
    """One difference a run found between Stripe and Tollgate's records."""

    __tablename__ = "money_audit_differences"
    __table_args__ = (Index("ix_money_audit_differences_run", "tenant_id", "run_id"),)

    run_id: Mapped[UUID] = mapped_column(ForeignKey("money_audit_runs.id"))
    kind: Mapped[str] = mapped_column(String(32))
    # The plugin that owns the Stripe object (`core` for what nobody claims).
    plugin: Mapped[str] = mapped_column(String(64))
    stripe_object: Mapped[str] = mapped_column(String(255))
    customer: Mapped[str | None] = mapped_column(String(255), default=None)
    description: Mapped[str] = mapped_column(String(1000))
    expected: Mapped[str | None] = mapped_column(String(255), default=None)
    found: Mapped[str | None] = mapped_column(String(255), default=None)
    status: Mapped[str] = mapped_column(String(16), default=OPEN)
    # What the repair did or why it could not (the event stored, already in the inbox, none in Stripe).
    repair_note: Mapped[str | None] = mapped_column(String(1000), default=None)
    stripe_event_id: Mapped[str | None] = mapped_column(String(255), default=None)
