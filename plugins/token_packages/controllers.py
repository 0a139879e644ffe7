"""HTTP routes of token packages: `GET /packages`, a customer's orders, and `POST /orders/{order_id}/refund` (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, RuntimeDep
from core.idempotency.answers import Answers
from core.lists import Page, PageQuery
from core.money import Currency
from plugins.token_packages import schemas
from plugins.token_packages.catalog import PackageCatalog
from plugins.token_packages.orders import OrderService
from plugins.token_packages.refund_flow import RefundFlow


@get(
    "/packages",
    tags=["token_packages"],
    operation_id="list_packages",
    summary="The credit packages on sale, with their prices per currency (answered whole)",
    **access(SERVICE, ADMIN, END_USER, errors=("unsupported_currency",)),
)
async def packages(
    tenant: CurrentTenant,
    currency: Annotated[
        Currency | None, QueryParameter(description="Only the packs sold in this currency (`cny`); none: every pack.")
    ] = None,
) -> schemas.PackageList:
    return PackageCatalog(tenant).listing(currency)


class OrderController(Controller):
    path = "/customers/{customer_id:str}/orders"
    tags = ["token_packages"]

    @post(
        "/",
        operation_id="create_order",
        summary="Order a package: a pending payment order and its Checkout `payment_url`",
        **access(
            SERVICE,
            ADMIN,
            END_USER,
            errors=(
                "unknown_package",
                "currency_required",
                "unsupported_currency",
                "invalid_promotion_code",
                "promotion_code_not_applicable",
                "saved_card_not_supported",
                "success_url_required",
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
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        data: JSONBody[schemas.OrderCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Order]:
        service = OrderService(db_session, tenant)
        return await Answers(db_session, tenant).once(
            request,
            idempotency_key,
            lambda: service.create(customer_id, data, idempotency_key, runtime),
            status_code=201,
        )

    @get(
        "/",
        operation_id="list_orders",
        summary="The customer's orders, newest first",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def list_orders(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        page: PageQuery,
        status: Annotated[
            schemas.OrderStatus | None, QueryParameter(description="Only the orders in this status; none: every order.")
        ] = None,
    ) -> Page[schemas.Order]:
        return await OrderService(db_session, tenant).list_orders(customer_id, page, status=status)

    @get(
        "/{order_id:str}",
        operation_id="get_order",
        summary="One order: status, payments, refunds",
        **access(SERVICE, ADMIN, END_USER, errors=("order_not_found",)),
    )
    async def read(
        self, tenant: CurrentTenant, db_session: DbSession, customer_id: CustomerPath, order_id: FromPath[str]
    ) -> schemas.Order:
        return await OrderService(db_session, tenant).get(customer_id, order_id)


class RefundController(Controller):
    path = "/orders/{order_id:str}"
    tags = ["token_packages"]

    @post(
        "/refund",
        operation_id="refund_order",
        responses={200: ResponseSpec(schemas.Refund, description="The refund this Idempotency-Key already made.")},
        summary="Refund an order, fully or in part; its credits are clawed back",
        **access(
            ADMIN,
            errors=(
                "order_not_found",
                "order_not_paid",
                "nothing_to_refund",
                "payment_not_found",
                "payment_disputed",
                "amount_exceeds_refundable",
                "credits_already_spent",
                "refund_in_progress",
                "refund_rejected",
                "stripe_error",
            ),
        ),
    )
    async def refund(
        self,
        *,
        tenant: CurrentTenant,
        runtime: RuntimeDep,
        order_id: FromPath[str],
        data: JSONBody[schemas.RefundCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Refund]:
        refund, created = await RefundFlow(runtime, tenant).refund(order_id, data, idempotency_key)
        return Response(refund, status_code=201 if created else 200)
