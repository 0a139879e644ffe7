"""`GET /t/{tenant}/v1/customers/{customer_id}/payments`: the customer's payments timeline, thin over `payments`."""

from __future__ import annotations

from litestar import get

from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, KernelDep, PluginsDep
from core.lists import Page, PageQuery
from core.payments.schemas import CustomerPayment
from core.payments.service import payments


@get(
    "/customers/{customer_id:str}/payments",
    tags=["customers"],
    operation_id="list_customer_payments",
    summary="Everything the customer paid or got back through Tollgate, newest first",
    description=(
        "Subscription invoices paid, token package orders, credit purchases, and their refunds and disputes, "
        "from Tollgate's own records (kept by Stripe's events and the reconciles; no call to Stripe)."
    ),
    **access(SERVICE, ADMIN, END_USER),
)
async def list_customer_payments(
    *,
    tenant: CurrentTenant,
    db_session: DbSession,
    plugins: PluginsDep,
    kernel: KernelDep,
    customer_id: CustomerPath,
    page: PageQuery,
) -> Page[CustomerPayment]:
    return await payments(
        session=db_session, tenant=tenant, customer_id=customer_id, page=page, plugins=plugins, kernel=kernel
    )
