"""The audit trail's tables: the records themselves, and each tenant's chain head (the lock writers queue on)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from advanced_alchemy.types import DateTimeUTC, JsonB
from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class AuditRecord(TenantOwned):
    """One state-changing call: when, by whom, from where, what it did to what, and what changed.

    Append-only: the migration puts a trigger on the table refusing UPDATE and DELETE (PostgreSQL and
    SQLite); retention pruning goes through `audit_records_prune()` on PostgreSQL alone. `seq` numbers a
    tenant's records 1, 2, 3...; `hash` is the SHA-256 of the record's fields and `prev_hash`, the hash of
    the tenant's record `seq - 1` (empty for the first), so an edited, removed or inserted row breaks the
    chain where `tollgate audit verify` finds it.
    """

    __tablename__ = "audit_records"
    __table_args__ = (
        UniqueConstraint("tenant_id", "seq", name="uq_audit_records_tenant_seq"),
        Index("ix_audit_records_tenant_occurred", "tenant_id", "occurred_at"),
    )

    seq: Mapped[int] = mapped_column(BigInteger)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    # An API key's name, `jwt:<customer>` for an end-user token, `system:<job>` for a task or the CLI.
    principal: Mapped[str] = mapped_column(String(255))
    request_id: Mapped[str | None] = mapped_column(String(128), default=None)
    source_ip: Mapped[str | None] = mapped_column(String(64), default=None)
    # What was done (`ledger.grant`, `customer.update`, ...) and to what (`customer:<id>`, `event:<id>`).
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(255))
    # The fields that changed, before and after (compact: only what the action touches).
    before: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
    after: Mapped[dict[str, Any] | None] = mapped_column(JsonB, default=None)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(TenantOwned):
    """The newest record of one tenant's chain. Writers lock this row, so one tenant's records chain in order."""

    __tablename__ = "audit_chain_heads"
    __table_args__ = (UniqueConstraint("tenant_id", name="uq_audit_chain_heads_tenant"),)

    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default="")
