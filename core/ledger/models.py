"""The ledger's tables: one account row per customer, grants, the append-only entries, allocations, holds.

The account row is the per-customer lock and running total; grants hold the credits; entries are
the history (never updated or deleted); allocations say which grants each entry moved credits in
or out of, so a capture, refund or clawback can undo exactly what was recorded.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

from advanced_alchemy.types import JsonB
from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class CreditAccount(TenantOwned):
    """A customer's running balance, and the row every balance change locks first."""

    __tablename__ = "credit_accounts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "customer", name="uq_credit_accounts_tenant_customer"),
        # Only the accounts with something due: the expiry job's index, which no lookup by customer can take
        # (migration 0027).
        Index(
            "ix_credit_accounts_due_at",
            "tenant_id",
            "due_at",
            postgresql_where=text("due_at IS NOT NULL"),
            sqlite_where=text("due_at IS NOT NULL"),
        ),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    # The tenant app's own customer id, so the hot path finds the account without a join.
    customer: Mapped[str] = mapped_column(String(255))
    # Spendable credits: live grants' remaining, minus active holds, minus debt.
    balance: Mapped[int] = mapped_column(BigInteger, default=0)
    held: Mapped[int] = mapped_column(BigInteger, default=0)
    # Credits clawed back beyond zero (only under the `allow_negative` clawback policy).
    debt: Mapped[int] = mapped_column(BigInteger, default=0)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    unlimited: Mapped[bool] = mapped_column(Boolean, default=False)
    unlimited_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # No grant or hold of this account can lapse before this time (earlier is allowed, never later).
    due_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class CreditGrant(TenantOwned):
    """Credits given to a customer by one source (a payment, a subscription period, an admin)."""

    __tablename__ = "credit_grants"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "source_ref", name="uq_credit_grants_tenant_source_ref"),
        Index("ix_credit_grants_account_order", "account_id", "priority", "expires_at", "created_at"),
        # No partial-index predicate on `remaining`: a spend updates it, and an update touching a
        # column any index refers to cannot be HOT (PostgreSQL then rewrites every index entry and
        # a busy grant's index lookups slow down until vacuum). See migration 0008.
        Index("ix_credit_grants_expiring", "tenant_id", "expires_at"),
        # The metrics' live edges (core/analytics/rollup.py, migration 0020).
        Index("ix_credit_grants_tenant_created", "tenant_id", "created_at"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("credit_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    remaining: Mapped[int] = mapped_column(BigInteger)
    # Part of `remaining` reserved by active holds: not spendable, not expirable.
    reserved: Mapped[int] = mapped_column(BigInteger, default=0)
    consumed: Mapped[int] = mapped_column(BigInteger, default=0)
    expired: Mapped[int] = mapped_column(BigInteger, default=0)
    clawed_back: Mapped[int] = mapped_column(BigInteger, default=0)
    # Lower is consumed first (Stripe's credit-grant convention: 0 is the highest priority).
    priority: Mapped[int] = mapped_column(Integer, default=50)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    source: Mapped[str] = mapped_column(String(64))
    source_ref: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonB, default=dict)
    expiry_notified_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class LedgerEntry(TenantOwned):
    """One change to a customer's balance; `amount` is signed and `balance_after` follows it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("account_id", "seq", name="uq_ledger_entries_account_seq"),
        UniqueConstraint("account_id", "idempotency_key", name="uq_ledger_entries_account_idempotency"),
        Index("ix_ledger_entries_account_reference", "account_id", "reference"),
        # The metrics' live edges (core/analytics/rollup.py, migration 0020).
        Index("ix_ledger_entries_tenant_created", "tenant_id", "created_at"),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("credit_accounts.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    balance_after: Mapped[int] = mapped_column(BigInteger)
    # What the caller asked for (spend, hold, capture); differs from -amount on unlimited accounts.
    requested: Mapped[int | None] = mapped_column(BigInteger, default=None)
    idempotency_key: Mapped[str | None] = mapped_column(String(255), default=None)
    request_hash: Mapped[str | None] = mapped_column(String(64), default=None)
    # The grant, hold or entry this entry is about.
    reference: Mapped[str | None] = mapped_column(String(255), default=None)
    reason: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonB, default=dict)


class CreditAllocation(TenantOwned):
    """Credits one entry moved on one grant: consume, reserve, expire, clawback, restore, repay."""

    __tablename__ = "credit_allocations"
    __table_args__ = (
        Index("ix_credit_allocations_entry", "entry_id"),
        Index("ix_credit_allocations_grant", "grant_id"),
    )

    entry_id: Mapped[UUID] = mapped_column(ForeignKey("ledger_entries.id"))
    grant_id: Mapped[UUID] = mapped_column(ForeignKey("credit_grants.id"))
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)


class CreditHold(TenantOwned):
    """Credits reserved before work; captured (all or part) after it, or released."""

    __tablename__ = "credit_holds"
    __table_args__ = (
        Index("ix_credit_holds_account", "account_id"),
        Index(
            "ix_credit_holds_active_expiry",
            "tenant_id",
            "expires_at",
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        # Retention's way to the oldest closed holds (core/retention/): a hold enters it once, when it closes.
        Index(
            "ix_credit_holds_closed",
            "tenant_id",
            "closed_at",
            postgresql_where=text("status <> 'active'"),
            sqlite_where=text("status <> 'active'"),
        ),
    )

    account_id: Mapped[UUID] = mapped_column(ForeignKey("credit_accounts.id"))
    amount: Mapped[int] = mapped_column(BigInteger)
    captured: Mapped[int] = mapped_column(BigInteger, default=0)
    # active | captured | released | expired
    status: Mapped[str] = mapped_column(String(16), default="active")
    unlimited: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    entry_id: Mapped[UUID | None] = mapped_column(ForeignKey("ledger_entries.id"), default=None)
    reason: Mapped[str | None] = mapped_column(String(255), default=None)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JsonB, default=dict)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
