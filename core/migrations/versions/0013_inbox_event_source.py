"""How each stored Stripe event came: delivered by Stripe, or backfilled from its events API.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06 04:30:00

Existing rows were all delivered: the column's server default says so.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="delivery"))


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("source")
