"""HTTP routes of token packages: `GET /packages`, a customer's orders, and `POST /orders/{order}/refund` (admin)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from core.access import ADMIN, END_USER, SERVICE, access
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, RuntimeDep
from plugins.token_packages import schemas
from plugins.token_packages.catalog import PackageCatalog
from plugins.token_packages.orders import ORDER_PAGE_MAX, OrderService
from plugins.token_packages.refund_flow import RefundFlow


@get(
    "/packages",
    tags=["token_packages"],
    summary="The credit packages on sale, with their prices per currency",
    **access(SERVICE, ADMIN, END_USER),
)
async def packages(tenant: CurrentTenant, currency: FromQuery[str | None] = None) -> schemas.PackageList:
    return PackageCatalog(tenant).listing(currency)


class OrderController(Controller):
    path = "/customers/{customer:str}/orders"
    tags = ["token_packages"]

    @post(
        "/",
        summary="Order a package: a pending payment order and its Checkout `payment_url`",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def create(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer: CustomerPath,
        data: JSONBody[schemas.OrderCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Order]:
        order, created = await OrderService(db_session, tenant).create(customer, data, idempotency_key, runtime)
        return Response(order, status_code=201 if created else 200)

    @get("/", summary="The customer's orders, newest first (cursor-paginated)", **access(SERVICE, ADMIN, END_USER))
    async def list_orders(
        self,
        *,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        status: FromQuery[schemas.OrderStatus | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=ORDER_PAGE_MAX)] = 20,
    ) -> schemas.OrderPage:
        return await OrderService(db_session, tenant).list_orders(customer, cursor=cursor, limit=limit, status=status)

    @get("/{order_id:str}", summary="One order: status, payments, refunds", **access(SERVICE, ADMIN, END_USER))
    async def read(
        self, tenant: CurrentTenant, db_session: DbSession, customer: CustomerPath, order_id: FromPath[str]
    ) -> schemas.Order:
        return await OrderService(db_session, tenant).get(customer, order_id)


class RefundController(Controller):
    path = "/orders/{order_id:str}"
    tags = ["token_packages"]

    @post("/refund", summary="Refund an order, fully or in part; its credits are clawed back", **access(ADMIN))
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
