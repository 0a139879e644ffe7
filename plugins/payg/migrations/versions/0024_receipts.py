"""PAYG credit purchases keep the charge that took them and Stripe's receipt of it (the payments timeline).

Revision ID: 0024
Revises: 0011
Create Date: 2026-12-06 12:15:00

Both nullable: purchases paid before this revision have neither (docs/billing-history.md).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payg_credit_purchases") as batch:
        batch.add_column(sa.Column("charge_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("receipt_url", sa.String(length=2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payg_credit_purchases") as batch:
        batch.drop_column("receipt_url")
        batch.drop_column("charge_id")
