"""Queries on customers, always within one tenant."""

from __future__ import annotations

from core.customers.models import Customer
from core.db import TenantRepository


class CustomerRepository(TenantRepository[Customer]):
    model_type = Customer

    async def by_external_id(
        self, external_id: str, *, for_update: bool = False, key_share: bool = False
    ) -> Customer | None:
        """The customer; `for_update` locks its row (FOR UPDATE, or FOR NO KEY UPDATE with `key_share`,
        which lets other rows' foreign-key checks on it through)."""
        statement = self.select().where(Customer.external_id == external_id)
        if for_update:
            # A locked read must see the row as it is now, not as this session first loaded it.
            statement = statement.with_for_update(key_share=key_share).execution_options(populate_existing=True)
        return (await self.session.execute(statement)).scalar_one_or_none()

    async def by_stripe_id(self, stripe_customer_id: str) -> Customer | None:
        statement = self.select().where(Customer.stripe_customer_id == stripe_customer_id)
        return (await self.session.execute(statement)).scalar_one_or_none()
