"""HTTP routes of pay-as-you-go: `GET /credit-prices`, `POST|GET /customers/{customer_id}/credit-purchases`."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, JSONBody

from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, KernelDep
from core.idempotency.answers import Answers
from plugins.payg import schemas
from plugins.payg.services import PurchaseService


@get(
    "/credit-prices",
    tags=["payg"],
    operation_id="get_credit_prices",
    summary="What credits cost, per currency, and the packs on sale",
    **access(SERVICE, ADMIN, END_USER),
)
async def credit_prices(tenant: CurrentTenant, db_session: DbSession, kernel: KernelDep) -> schemas.CreditPrices:
    return await PurchaseService(db_session, tenant, kernel).prices()


class CreditPurchaseController(Controller):
    path = "/customers/{customer_id:str}/credit-purchases"
    tags = ["payg"]

    @post(
        "/",
        operation_id="create_credit_purchase",
        summary="Buy credits: a PaymentIntent's client_secret, or a saved card charged now (`payment_method`)",
        **access(
            SERVICE,
            ADMIN,
            END_USER,
            errors=(
                "invalid_purchase",
                "credits_out_of_range",
                "quantity_out_of_range",
                "currency_required",
                "currency_mismatch",
                "unsupported_currency",
                "unknown_price",
                "price_without_credits",
                "payment_method_not_found",
                "card_declined",
                "requires_action",
                "stripe_error",
            ),
        ),
    )
    async def create(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.CreditPurchaseCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.CreditPurchase]:
        service = PurchaseService(db_session, tenant, kernel)
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: service.create(customer_id, data, idempotency_key, kernel.stripe),
            status_code=201,
        )

    @get(
        "/{purchase_id:str}",
        operation_id="get_credit_purchase",
        summary="A credit purchase and its status",
        **access(SERVICE, ADMIN, END_USER, errors=("purchase_not_found",)),
    )
    async def read(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        kernel: KernelDep,
        customer_id: CustomerPath,
        purchase_id: FromPath[str],
    ) -> schemas.CreditPurchase:
        return await PurchaseService(db_session, tenant, kernel).get(customer_id, purchase_id)
