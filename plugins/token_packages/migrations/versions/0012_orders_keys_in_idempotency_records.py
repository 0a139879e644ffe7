"""Orders keep no Idempotency-Key (the kernel's idempotency records keep the first answer); listed by time.

Revision ID: 0012
Revises: 0007
Create Date: 2026-12-06 02:40:00

`POST .../orders` answers through `core.idempotency.Answers`, like every route that moves money,
so the order row's key and fingerprint are no longer read (refunds keep theirs: docs/token_packages.md).
An order made under a key has an id derived from the key, not a time-ordered UUIDv7, so a
customer's orders are listed by `created_at`, then id: the index follows.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_token_package_orders_customer"


def upgrade() -> None:
    op.drop_index(INDEX, table_name="token_package_orders")
    with op.batch_alter_table("token_package_orders") as batch:
        batch.drop_constraint("uq_token_package_orders_key", type_="unique")
        batch.drop_column("idempotency_key")
        batch.drop_column("request_hash")
    op.create_index(INDEX, "token_package_orders", ["tenant_id", "customer", "created_at", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="token_package_orders")
    with op.batch_alter_table("token_package_orders") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_token_package_orders_key", ["tenant_id", "customer", "idempotency_key"])
    op.create_index(INDEX, "token_package_orders", ["tenant_id", "customer", "id"])
