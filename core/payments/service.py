"""One customer's payments timeline: every enabled plugin's rows (`tollgate_customer_payments`) in one
statement, newest first, paged by (time, id)."""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import Row, literal, select, tuple_, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from core.cursors import timed_key, timed_position
from core.customers.services import CustomerService
from core.kernel import Kernel
from core.lists import Page, PageRequest
from core.payments.schemas import CustomerPayment
from core.plugins import Plugins
from tenants.registry import Tenant

NOUN: Final = "payments"


async def payments(
    *, session: AsyncSession, tenant: Tenant, customer_id: str, page: PageRequest, plugins: Plugins, kernel: Kernel
) -> Page[CustomerPayment]:
    """The customer's payments, refunds and disputes, newest first (404 `customer_not_found`)."""
    after = page.position(NOUN, timed_position)
    customer = await CustomerService(session, tenant).get(customer_id)
    answers = await plugins.answers_for("tollgate_customer_payments", tenant, customer=customer, kernel=kernel)
    statements = [statement for _, contributed in answers for statement in contributed]
    if not statements:
        return Page(data=[], has_more=False, next_cursor=None)
    timeline = union_all(*statements).subquery()
    query = select(timeline).order_by(timeline.c.at.desc(), timeline.c.id.desc()).limit(page.fetch)
    if after is not None:
        query = query.where(tuple_(timeline.c.at, timeline.c.id) < tuple_(literal(after[0]), literal(after[1])))
    rows = list(await session.execute(query))
    return page.page(rows, NOUN, lambda row: timed_key(row.at, row.id), (_schema(row) for row in rows))


def _schema(row: Row[Any]) -> CustomerPayment:
    return CustomerPayment(
        id=row.id,
        kind=row.kind,
        source=row.stream,
        amount=int(row.amount),
        currency=row.currency,
        status=row.status,
        occurred_at=row.at,
        reference=row.reference,
        description=row.description,
        receipt_url=row.receipt_url,
    )
