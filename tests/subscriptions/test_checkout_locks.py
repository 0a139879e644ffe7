"""A checkout's lock on the customer's row lets webhooks write that customer's rows meanwhile.

`SubscriptionService.start` locks the customer's row so that the customer's checkouts take turns
(the rate limit holds across API processes). It took FOR UPDATE, which also stops every foreign-key
check on the row: a webhook worker that held an earlier attempt's subscription row and then wrote a
row of this customer (an invoice, a credit) waited for the request, while the request, superseding
that unpaid attempt, waited for the subscription's row: PostgreSQL's deadlock, a 500 (seen once in a
`make test` run, in `test_elements.py`). Once the customer has a Stripe customer the lock is FOR NO
KEY UPDATE (`CustomerService.in_turn`): checkouts still take turns, foreign-key checks go through.
Checked here with lock timeouts on a second connection; no time is asserted.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import DBAPIError

from core.customers.models import Customer
from core.customers.services import CustomerService
from core.db import session_scope
from core.runtime import Runtime
from tests.subscriptions.conftest import create_customer

# What a foreign key's check takes on the referenced row, and what a second checkout of the customer takes.
KEY_SHARE = "SELECT 1 FROM customers WHERE tenant_id = 'alpha' AND external_id = :customer FOR KEY SHARE"


async def waits(runtime: Runtime, statement: str, customer: str) -> bool:
    """Whether `statement` on another connection waits for a lock held now (a 300 ms lock timeout)."""
    async with runtime.engine.connect() as connection, connection.begin():
        await connection.execute(text("SET LOCAL lock_timeout = '300ms'"))
        try:
            await connection.execute(text(statement), {"customer": customer})
        except DBAPIError as error:
            if "lock timeout" not in str(error.orig):
                raise
            return True
        return False


async def test_a_checkouts_lock_lets_foreign_keys_through_and_checkouts_take_turns(
    client: Any, runtime: Runtime
) -> None:
    if runtime.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's")
    tenant = runtime.tenants.get("alpha")
    for customer in ("paying", "new"):
        await create_customer(client, customer)
    async with session_scope(runtime.sessions) as session:
        await session.execute(
            update(Customer)
            .where(Customer.tenant_id == "alpha", Customer.external_id == "paying")
            .values(stripe_customer_id="cus_paying")
        )
        await session.commit()
    second = KEY_SHARE.replace("FOR KEY SHARE", "FOR NO KEY UPDATE")
    async with session_scope(runtime.sessions) as session:
        await CustomerService(session, tenant).in_turn("paying")
        assert not await waits(runtime, KEY_SHARE, "paying"), "a webhook's foreign-key check waited"
        assert await waits(runtime, second, "paying"), "a second checkout did not wait its turn"
    # Without a Stripe customer the request may create one (a unique key's update): the strongest lock.
    async with session_scope(runtime.sessions) as session:
        await CustomerService(session, tenant).in_turn("new")
        assert await waits(runtime, KEY_SHARE, "new")
