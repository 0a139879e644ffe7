"""HTTP routes for customers: `PUT|GET /t/{tenant_slug}/v1/customers/{customer_id}`."""

from __future__ import annotations

from litestar import Controller, Response, get, put
from litestar.openapi import ResponseSpec
from litestar.params import JSONBody

from core.access import ADMIN, END_USER, SERVICE, access
from core.customers import schemas
from core.customers.services import CustomerService, to_schema
from core.deps import CurrentTenant, CustomerPath, DbSession


class CustomerController(Controller):
    path = "/customers/{customer_id:str}"
    tags = ["customers"]

    @put(
        "/",
        operation_id="upsert_customer",
        summary="Create or update a customer",
        description="`customer_id` is the tenant app's own id: 201 when it creates the customer, 200 when it updates.",
        responses={201: ResponseSpec(schemas.Customer, description="The customer, created.")},
        **access(SERVICE, ADMIN, errors=("invalid_customer_id",)),
    )
    async def upsert(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        data: JSONBody[schemas.CustomerUpsert],
    ) -> Response[schemas.Customer]:
        row, created = await CustomerService(db_session, tenant).upsert(customer_id, data)
        return Response(to_schema(row), status_code=201 if created else 200)

    @get("/", operation_id="get_customer", summary="Get a customer", **access(SERVICE, ADMIN, END_USER))
    async def read(self, tenant: CurrentTenant, db_session: DbSession, customer_id: CustomerPath) -> schemas.Customer:
        return to_schema(await CustomerService(db_session, tenant).get(customer_id))
