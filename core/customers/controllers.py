"""HTTP routes for customers: `PUT|GET /t/{tenant}/v1/customers/{customer}`."""

from __future__ import annotations

from litestar import Controller, Response, get, put
from litestar.params import JSONBody

from core.access import ADMIN, END_USER, SERVICE, access
from core.customers import schemas
from core.customers.services import CustomerService, to_schema
from core.deps import CurrentTenant, CustomerPath, DbSession


class CustomerController(Controller):
    path = "/customers/{customer:str}"
    tags = ["customers"]

    @put(
        "/",
        summary="Create or update a customer",
        description="`customer` is the tenant app's own id.",
        **access(SERVICE, ADMIN),
    )
    async def upsert(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        data: JSONBody[schemas.CustomerUpsert],
    ) -> Response[schemas.Customer]:
        row, created = await CustomerService(db_session, tenant).upsert(customer, data)
        return Response(to_schema(row), status_code=201 if created else 200)

    @get("/", summary="Get a customer", **access(SERVICE, ADMIN, END_USER))
    async def read(self, tenant: CurrentTenant, db_session: DbSession, customer: CustomerPath) -> schemas.Customer:
        return to_schema(await CustomerService(db_session, tenant).get(customer))
