"""The example plugin's own table: referral codes a tenant app hands its customers."""

from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned


class Referral(TenantOwned):
    __tablename__ = "example_referrals"
    __table_args__ = (UniqueConstraint("tenant_id", "code", name="uq_example_referrals_tenant_code"),)

    code: Mapped[str] = mapped_column(String(64))
    customer: Mapped[str] = mapped_column(String(255))
    referred_by: Mapped[str | None] = mapped_column(String(255), default=None)
