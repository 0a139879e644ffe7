"""The ledger's routes under `/t/{tenant_slug}/v1/customers/{customer_id}`: balance, entries, spends, holds, grants."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from litestar import Controller, Request, Response, get, post
from litestar.openapi import ResponseSpec
from litestar.params import Body, FromPath, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from core.access import ADMIN, END_USER, SERVICE, access
from core.db import commit
from core.deps import CurrentTenant, CustomerPath, DbSession, IdempotencyKey
from core.ledger import schemas
from core.ledger.reads import read_balance, read_entries
from core.ledger.services import Ledger
from core.ledger.turns import TURNS
from core.lists import Page, PageQuery
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.runtime import Runtime

T = TypeVar("T")
# What capturing or releasing a hold answers when the hold is gone or already closed.
HOLD_CLOSED = ("hold_not_found", "hold_expired", "hold_already_captured", "hold_already_released")


async def in_turn(tenant: Tenant, customer: str, session: AsyncSession, write: Callable[[], Awaitable[T]]) -> T:
    """A write to one customer's credits, committed before the next request for that customer starts.

    The commit happens here rather than at the request's end so the customer's turn covers it.
    """
    async with TURNS.turn(tenant.slug, customer):
        result = await write()
        await commit(session)
    return result


class LedgerController(Controller):
    path = "/customers/{customer_id:str}"
    tags = ["ledger"]

    @get(
        "/balance",
        operation_id="get_balance",
        summary="Spendable credits, holds, and each grant with its expiry",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def balance(self, request: Request[Any, Any, Any], customer_id: CustomerPath) -> schemas.Balance:
        # Read on every request of a tenant app's users: the tenant and runtime come off the request, as
        # for the spend (no dependencies to resolve, no request session: the read opens none).
        return await read_balance(request.app.state.runtime, request.state.tenant, customer_id)

    @get(
        "/ledger",
        operation_id="list_ledger_entries",
        summary="The customer's ledger entries, newest first",
        **access(SERVICE, ADMIN, END_USER),
    )
    async def ledger(
        self, request: Request[Any, Any, Any], customer_id: CustomerPath, page: PageQuery
    ) -> Page[schemas.Entry]:
        return await read_entries(request.app.state.runtime, request.state.tenant, customer_id, page)

    @post(
        "/spend",
        operation_id="spend_credits",
        summary="Spend credits (402 insufficient_credits when short; nothing is written)",
        **access(
            SERVICE,
            ADMIN,
            errors=("insufficient_credits", "invalid_amount"),
        ),
    )
    async def spend(
        self,
        request: Request[Any, Any, Any],
        customer_id: CustomerPath,
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
            tenant,
            customer_id,
            data.credits,
            reason=data.reason,
            metadata=data.metadata,
            idempotency_key=idempotency_key,
        )

    @post(
        "/holds",
        operation_id="create_hold",
        summary="Reserve credits before work; capture or release after",
        **access(
            SERVICE,
            ADMIN,
            errors=(
                "insufficient_credits",
                "invalid_amount",
                "invalid_hold_ttl",
                "hold_not_found",
            ),
        ),
    )
    async def hold(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        data: JSONBody[schemas.HoldCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant,
            customer_id,
            db_session,
            lambda: ledger.hold(
                customer_id,
                data.credits,
                ttl_seconds=data.ttl_seconds,
                reason=data.reason,
                metadata=data.metadata,
                idempotency_key=idempotency_key,
            ),
        )

    @get(
        "/holds/{hold_id:str}",
        operation_id="get_hold",
        summary="A hold and its state",
        **access(SERVICE, ADMIN, errors=("hold_not_found",)),
    )
    async def read_hold(
        self, tenant: CurrentTenant, db_session: DbSession, customer_id: CustomerPath, hold_id: FromPath[str]
    ) -> schemas.Hold:
        return await Ledger(db_session, tenant).get_hold(customer_id, hold_id)

    @post(
        "/holds/{hold_id:str}/capture",
        status_code=200,
        operation_id="capture_hold",
        summary="Capture all of a hold, or part (the rest is released)",
        **access(
            SERVICE,
            ADMIN,
            errors=(
                *HOLD_CLOSED,
                "capture_exceeds_hold",
                "invalid_amount",
            ),
        ),
    )
    async def capture(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        hold_id: FromPath[str],
        data: Annotated[schemas.HoldCapture | None, Body()] = None,
        *,
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        part = data.credits if data is not None else None
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant,
            customer_id,
            db_session,
            lambda: ledger.capture(customer_id, hold_id, part, idempotency_key=idempotency_key),
        )

    @post(
        "/holds/{hold_id:str}/release",
        status_code=200,
        operation_id="release_hold",
        summary="Release a hold's credits",
        **access(
            SERVICE,
            ADMIN,
            errors=(*HOLD_CLOSED,),
        ),
    )
    async def release(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        hold_id: FromPath[str],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Hold:
        ledger = Ledger(db_session, tenant)
        return await in_turn(
            tenant,
            customer_id,
            db_session,
            lambda: ledger.release(customer_id, hold_id, idempotency_key=idempotency_key),
        )

    @post(
        "/grants",
        operation_id="grant_credits",
        summary="Grant credits (admin); a repeated reference returns the first grant",
        responses={200: ResponseSpec(schemas.Grant, description="The grant this reference already made.")},
        **access(
            ADMIN,
            errors=(
                "invalid_amount",
                "invalid_source",
                "invalid_priority",
                "invalid_expires_at",
                "grant_source_conflict",
            ),
        ),
    )
    async def grant(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        data: JSONBody[schemas.GrantCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> Response[schemas.Grant]:
        grant, created = await Ledger(db_session, tenant).grant_from_request(customer_id, data, idempotency_key)
        return Response(grant, status_code=201 if created else 200)

    @post(
        "/clawbacks",
        status_code=200,
        operation_id="claw_back_credits",
        summary="Take back what one grant gave (admin)",
        **access(ADMIN, errors=("grant_not_found", "invalid_amount")),
    )
    async def clawback(
        self,
        tenant: CurrentTenant,
        db_session: DbSession,
        customer_id: CustomerPath,
        data: JSONBody[schemas.ClawbackCreate],
        idempotency_key: IdempotencyKey = None,
    ) -> schemas.Clawback:
        return await Ledger(db_session, tenant).clawback(
            source=data.source,
            source_ref=data.source_ref,
            amount=data.credits,
            policy=data.policy,
            reason=data.reason,
            idempotency_key=idempotency_key,
            customer=customer_id,
            audited=True,
        )
