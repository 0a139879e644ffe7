"""Credit purchases keep no Idempotency-Key: the kernel's idempotency records keep the first answer.

Revision ID: 0011
Revises: 0004
Create Date: 2026-12-06 02:40:00

`POST .../credit-purchases` answers through `core.idempotency.Answers`, like every route that
moves money, so the purchase row's key and fingerprint are no longer read. A key's first answer
from before this revision is not carried over: a repeat of it makes a purchase whose id, and so
whose PaymentIntent's Stripe idempotency key, derives from the client's key (a new PaymentIntent).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("payg_credit_purchases") as batch:
        batch.drop_constraint("uq_payg_purchases_tenant_key", type_="unique")
        batch.drop_column("idempotency_key")
        batch.drop_column("request_hash")


def downgrade() -> None:
    with op.batch_alter_table("payg_credit_purchases") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("request_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint("uq_payg_purchases_tenant_key", ["tenant_id", "customer", "idempotency_key"])
