"""`GET /customers/{customer_id}/invoices`: the customer's subscription invoices from the billing history
(billing.py), newest first, without calling Stripe."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

import msgspec
from litestar import get
from sqlalchemy import func, literal, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import ADMIN, END_USER, SERVICE, access
from core.cursors import timed_key, timed_position
from core.customers.services import CustomerService
from core.db import scoped
from core.deps import CurrentTenant, CustomerPath, DbSession
from core.fields import Examples
from core.lists import Page, PageQuery, PageRequest
from plugins.subscriptions.models import SubscriptionInvoice
from tenants.registry import Tenant

NOUN = "invoices"


class Invoice(msgspec.Struct):
    """One invoice of the customer's subscription, as Stripe's last event about it left it."""

    id: Annotated[str, msgspec.Meta(description="Stripe's invoice id (`in_...`).")]
    number: Annotated[str | None, msgspec.Meta(description="The invoice number; null until it is finalized.")]
    status: Annotated[
        str, msgspec.Meta(description="Stripe's status: `draft`, `open`, `paid`, `uncollectible` or `void`.")
    ]
    subscription: Annotated[str, msgspec.Meta(description="The Stripe subscription it bills.")]
    amount_due: Annotated[int, msgspec.Meta(description="Minor units.")]
    amount_paid: Annotated[int, msgspec.Meta(description="Minor units.")]
    amount_remaining: Annotated[int, msgspec.Meta(description="Minor units.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217, lowercase.")]
    period_start: Annotated[dt.datetime | None, msgspec.Meta(description="The plan period it pays for: start.")]
    period_end: Annotated[dt.datetime | None, msgspec.Meta(description="The plan period it pays for: end.")]
    hosted_invoice_url: Annotated[
        str | None, msgspec.Meta(description="Stripe's page of the invoice (pay or download it there).")
    ]
    invoice_pdf: Annotated[str | None, msgspec.Meta(description="The invoice as a PDF; null until finalized.")]
    receipt_url: Annotated[str | None, msgspec.Meta(description="The receipt of the charge that paid it.")]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When Stripe drew it up.")]
    paid_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it was paid; null while unpaid.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "in_1QxYz",
            "number": "A1B2C3D4-0001",
            "status": "paid",
            "subscription": "sub_1QxYz",
            "amount_due": 999,
            "amount_paid": 999,
            "amount_remaining": 0,
            "currency": "usd",
            "period_start": "2026-12-01T09:30:00Z",
            "period_end": "2027-01-01T09:30:00Z",
            "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_YWNjdF8x",
            "invoice_pdf": "https://pay.stripe.com/invoice/acct_1/test_YWNjdF8x/pdf",
            "receipt_url": "https://pay.stripe.com/receipts/invoices/CAcaFwoV",
            "created_at": "2026-12-01T09:30:00Z",
            "paid_at": "2026-12-01T09:30:02Z",
        },
    )


async def list_invoices(session: AsyncSession, tenant: Tenant, customer_id: str, page: PageRequest) -> Page[Invoice]:
    """The customer's subscription invoices, newest first (404 `customer_not_found`).

    Stripe's `created` counts whole seconds, and two invoices of one customer may share one (an upgrade
    right after a first payment): within a second, the later number is the newer invoice (a draft, not
    numbered yet, comes after the numbered ones of its second).
    """
    after = page.position(NOUN, _position)
    customer = await CustomerService(session, tenant).get(customer_id)
    row = SubscriptionInvoice
    number = func.coalesce(row.number, "")
    query = (
        scoped(select(row), row, tenant.slug)
        .where(row.customer_id == customer.id)
        .order_by(row.invoiced_at.desc(), number.desc(), row.stripe_invoice_id.desc())
        .limit(page.fetch)
    )
    if after is not None:
        at, last_number, last = after
        query = query.where(
            tuple_(row.invoiced_at, number, row.stripe_invoice_id)
            < tuple_(literal(at), literal(last_number), literal(last))
        )
    rows = list((await session.scalars(query)).all())
    return page.page(rows, NOUN, _key, map(_schema, rows))


def _key(row: SubscriptionInvoice) -> str:
    # Stripe's invoice ids have no "-": the id is what follows the last one, the number what precedes it.
    return timed_key(row.invoiced_at, f"{row.number or ''}-{row.stripe_invoice_id}")


def _position(text: str) -> tuple[dt.datetime, str, str] | None:
    found = timed_position(text)
    if found is None or "-" not in found[1]:
        return None
    number, _, stripe_invoice_id = found[1].rpartition("-")
    return found[0], number, stripe_invoice_id


def _schema(row: SubscriptionInvoice) -> Invoice:
    return Invoice(
        id=row.stripe_invoice_id,
        number=row.number,
        status=row.status,
        subscription=row.subscription,
        amount_due=row.amount_due,
        amount_paid=row.amount_paid,
        amount_remaining=row.amount_remaining,
        currency=row.currency,
        period_start=row.period_start,
        period_end=row.period_end,
        hosted_invoice_url=row.hosted_invoice_url,
        invoice_pdf=row.invoice_pdf,
        receipt_url=row.receipt_url,
        created_at=row.invoiced_at,
        paid_at=row.paid_at,
    )


@get(
    "/customers/{customer_id:str}/invoices",
    tags=["subscriptions"],
    operation_id="list_customer_invoices",
    summary="The customer's subscription invoices, newest first, with their hosted page and PDF",
    **access(SERVICE, ADMIN, END_USER),
)
async def read_invoices(
    tenant: CurrentTenant, db_session: DbSession, customer_id: CustomerPath, page: PageQuery
) -> Page[Invoice]:
    return await list_invoices(db_session, tenant, customer_id, page)
