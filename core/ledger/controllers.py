"""HTTP routes of the ledger under `/t/{tenant}/v1/customers/{customer}`: balance, entries, spends, holds, grants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from litestar import Controller, Request, Response, get, post
from litestar.params import Body, FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import ADMIN, END_USER, SERVICE, access
from core.db import commit
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey
from core.ledger import schemas
from core.ledger.services import Ledger
from core.ledger.turns import TURNS
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime

T = TypeVar("T")


async def in_turn(tenant: Tenant, customer: str, session: AsyncSession, write: Callable[[], Awaitable[T]]) -> T:
    """A write to one customer's credits, committed before the next request for that customer starts.

    The commit happens here rather than at the request's end so the customer's turn covers it.
    """
    async with TURNS.turn(tenant.slug, customer):
        result = await write()
        await commit(session)
    return result


class LedgerController(Controller):
    path = "/customers/{customer:str}"
    tags = ["ledger"]

    @get(
        "/balance",
        summary="Spendable credits, holds, and each grant with its expiry",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def balance(self, tenant: CurrentTenant, db_session: DbSession, customer: CustomerPath) -> schemas.Balance:
        return await Ledger(db_session, tenant).balance(customer)

    @get(
        "/ledger",
        summary="The customer's ledger entries, newest first (cursor-paginated)",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def ledger(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        cursor: FromQuery[str | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
    ) -> schemas.LedgerPage:
        return await Ledger(db_session, tenant).entries(customer, cursor=cursor, limit=limit)

    @post(
        "/spend",
        summary="Spend credits (402 insufficient_credits when short; nothing is written)",
        **access(SERVICE, ADMIN),
    )
    async def spend(
        self,
        request: Request[Any, Any, Any],
        customer: CustomerPath,
        data: JSONBody[schemas.SpendCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Spend:
        # The hottest route takes the tenant (resolved by the tenant guard) and the runtime off the
        # request, not as dependencies: Litestar resolves sibling dependencies in an anyio task group,
        # which costs more per request than the spend's own Python. No request session either: the
        # spend path commits on its own (core/ledger/spends.py).
        tenant: Tenant = request.state.tenant
        runtime: Runtime = request.app.state.runtime
        return await runtime.spends.spend(
            tenant, customer, data.amount, reason=data.reason, metadata=data.metadata, idempotency_key=idempotency_key
        )

    @post("/holds", summary="Reserve credits before work; capture or release after", **access(SERVICE, ADMIN))
    async def hold(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        data: JSONBody[schemas.HoldCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant,
            customer,
            db_session,
            lambda: ledger.hold(
                customer,
                data.amount,
                ttl_seconds=data.ttl_seconds,
                reason=data.reason,
                metadata=data.metadata,
                idempotency_key=idempotency_key,
            ),
        )

    @get("/holds/{hold_id:str}", summary="A hold and its state", **access(SERVICE, ADMIN))
    async def read_hold(
        self, tenant: CurrentTenant, db_session: DbSession, customer: CustomerPath, hold_id: FromPath[str]
    ) -> schemas.Hold:
        return await Ledger(db_session, tenant).get_hold(customer, hold_id)

    @post(
        "/holds/{hold_id:str}/capture",
        status_code=200,
        summary="Capture all of a hold, or part (the rest is released)",
        **access(SERVICE, ADMIN),
    )
    async def capture(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        hold_id: FromPath[str],
        data: Annotated[schemas.HoldCapture | None, Body()] = None,
        *,
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        amount = data.amount if data is not None else None
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant,
            customer,
            db_session,
            lambda: ledger.capture(customer, hold_id, amount, idempotency_key=idempotency_key),
        )

    @post("/holds/{hold_id:str}/release", status_code=200, summary="Release a hold's credits", **access(SERVICE, ADMIN))
    async def release(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        hold_id: FromPath[str],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant, customer, db_session, lambda: ledger.release(customer, hold_id, idempotency_key=idempotency_key)
        )

    @post("/grants", summary="Grant credits (admin); a repeated reference returns the first grant", **access(ADMIN))
    async def grant(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        data: JSONBody[schemas.GrantCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Grant]:
        grant, created = await Ledger(db_session, tenant).grant_from_request(customer, data, idempotency_key)
        return Response(grant, status_code=201 if created else 200)

    @post("/clawbacks", status_code=200, summary="Take back what one grant gave (admin)", **access(ADMIN))
    async def clawback(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer: CustomerPath,
        data: JSONBody[schemas.ClawbackCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Clawback:
        return await Ledger(db_session, tenant).clawback(
            source=data.source,
            source_ref=data.source_ref,
            amount=data.amount,
            policy=data.policy,
            reason=data.reason,
            idempotency_key=idempotency_key,
            customer=customer,
        )
