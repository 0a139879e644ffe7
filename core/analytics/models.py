"""The metrics rollup's tables: each family's sums per tenant and closed UTC day, and how far each is built."""

from __future__ import annotations

import datetime as dt

from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned

# How many grouping keys and sums one family may have (the columns below).
KEYS = 2
SUMS = 5


class MetricsRollup(TenantOwned):
    """One family's sums over one closed UTC day for one group of keys (docs/metrics.md, "Speed")."""

    __tablename__ = "metrics_rollup"
    __table_args__ = (Index("ix_metrics_rollup_family_day", "tenant_id", "family", "day"),)

    family: Mapped[str] = mapped_column(String(64))
    # The day's start (UTC midnight).
    day: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    key_1: Mapped[str | None] = mapped_column(String(255), default=None)
    key_2: Mapped[str | None] = mapped_column(String(255), default=None)
    sum_1: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_2: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_3: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_4: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_5: Mapped[int] = mapped_column(BigInteger, default=0)


class MetricsRollupChange(TenantOwned):
    """A row written after its day may have been rolled up (`core.analytics.rollup.mark_changed`): the day is read
    live until the family's next rebuild, which deletes the mark."""

    __tablename__ = "metrics_rollup_changes"
    __table_args__ = (Index("ix_metrics_rollup_changes_family_day", "tenant_id", "family", "day"),)

    family: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))


class MetricsRollupState(TenantOwned):
    """How far one family's rollup is built for one tenant; its row is also the lock two builders queue on."""

    __tablename__ = "metrics_rollup_state"
    __table_args__ = (UniqueConstraint("tenant_id", "family", name="uq_metrics_rollup_state_family"),)

    family: Mapped[str] = mapped_column(String(64))
    # Every day before this one is rolled up (None: nothing yet).
    built_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # A row changed at or after this time may not be in its day's sums: its day is read live until rebuilt.
    watermark: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
