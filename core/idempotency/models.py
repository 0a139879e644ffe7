"""The answers kept for idempotent requests: one row per (tenant, operation, key)."""

from __future__ import annotations

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class IdempotencyRecord(TenantOwned):
    """A key's request (its fingerprint) and the answer it got; `status_code` is None while in flight."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("tenant_id", "operation", "key", name="uq_idempotency_records_key"),)

    operation: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, default=None)
