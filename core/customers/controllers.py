"""HTTP routes for customers: `PUT|GET|DELETE /t/{tenant_slug}/v1/customers/{customer_id}` and its export."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, delete, get, put
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIFormat, OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Schema
from litestar.params import JSONBody, QueryParameter
from litestar.response import Stream

from core.access import ADMIN, END_USER, SERVICE, CallerOperation, access
from core.customers import schemas
from core.customers.erasure import Erasures
from core.customers.export import JSON_MAX_ROWS, ZIP_MEDIA_TYPE, CustomerExporter, row_count, zip_of
from core.customers.services import CustomerService, to_schema
from core.customers.tables import tables_of
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey, RuntimeDep
from core.idempotency.answers import Answers

ExportFormat = Annotated[
    Literal["auto", "json", "zip"],
    QueryParameter(
        name="format",
        description=f"`json`: one document; `zip`: one JSON file per table, streamed; `auto`: `json`, or `zip` "
        f"when the customer has more than {JSON_MAX_ROWS} rows.",
    ),
]
Cancel = Annotated[
    bool,
    QueryParameter(
        name="cancel",
        description="true: end what still runs for the customer first (an active subscription is canceled now); "
        "false: answer 409 `subscription_active` while one runs.",
    ),
]


class ExportOperation(CallerOperation):
    """The export's operation: its 200 is the JSON document, or (`format=zip`, or a large one) the ZIP."""

    def __post_init__(self) -> None:
        super().__post_init__()
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[ZIP_MEDIA_TYPE] = OpenAPIMediaType(
                schema=Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.BINARY)
            )


def _zip_response(chunks: Any, tenant: str) -> Response[schemas.CustomerExport]:
    """The export streamed as a ZIP: the same tables, so the document's shape still describes it."""
    disposition = f'attachment; filename="{tenant}-customer-export.zip"'
    # A Stream is a Response of bytes; the route's document describes both shapes (`ExportOperation`).
    return Stream(chunks, media_type=ZIP_MEDIA_TYPE, headers={"Content-Disposition": disposition})  # type: ignore[return-value]


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

    @get(
        "/export",
        operation_id="export_customer",
        summary="Export everything held on a customer (admin)",
        description="Every table's rows of the customer (GDPR articles 15 and 20): profile, Stripe ids, "
        "subscriptions, grants, ledger entries, holds, orders, payments, refunds, purchases, allowances, "
        "notices, Stripe events and audit records about them. `format=zip` streams one JSON file per table.",
        responses={
            200: ResponseSpec(
                schemas.CustomerExport, description="The export (a ZIP of the same tables with `format=zip`)."
            )
        },
        **{**access(ADMIN), "operation_class": ExportOperation},
    )
    async def export(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        export_format: ExportFormat = "auto",
    ) -> Response[schemas.CustomerExport]:
        # Every table is read here, in the request's session: the ZIP is streamed after this returns, when
        # that session is closed, and a read then would open a transaction nobody ends.
        document = await CustomerExporter(db_session, tenant, tables_of(runtime)).document(customer_id)
        if export_format == "zip" or (export_format == "auto" and row_count(document) > JSON_MAX_ROWS):
            return _zip_response(zip_of(document), tenant.slug)
        return Response(document)

    @delete(
        "/",
        operation_id="erase_customer",
        summary="Erase a customer's personal data (admin)",
        description="GDPR article 17. The app's id is replaced by a pseudonym in every table; email, name, "
        "metadata and free text are removed; stored Stripe events and notices about the customer are scrubbed; "
        "the Stripe customer is deleted on the tenant's account. Ledger amounts, orders, refunds and payments "
        "stay, pseudonymous, so every balance and figure still holds. A repeat answers the same; the id can "
        "then be registered again as a new customer.",
        status_code=200,
        **access(ADMIN, errors=("subscription_active", "stripe_error")),
    )
    async def erase(
        self,
        *,
        request: Request[Any, Any, Any],
        tenant: CurrentTenant,
        db_session: DbSession,
        runtime: RuntimeDep,
        customer_id: CustomerPath,
        cancel: Cancel = False,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.CustomerErasure]:
        erasures = Erasures(db_session, tenant, runtime, tables_of(runtime))
        return await Answers(db_session, tenant).once(
            request, idempotency_key, lambda: erasures.erase(customer_id, cancel=cancel)
        )
