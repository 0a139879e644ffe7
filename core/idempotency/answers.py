"""The stored answer of an idempotent request: claimed with the request's effect, replayed to its repeats.

A route that moves credits or money and takes an `Idempotency-Key` answers through `Answers.once`:
in the request's transaction it claims (tenant, operation, key) with the request's fingerprint,
runs the effect, and stores the encoded answer and its status in the same row, so the effect and
its record commit together or not at all. A repeat finds the row and gets the stored bytes; a
concurrent repeat blocks on the claim (the row's unique index) until the first commits, then
replays it, or, when the first failed and rolled back, runs afresh. The ledger keeps the same
rules on its own entries (docs/ledger.md), where its spends are decided in one database call.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.enums import MediaType
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from uuid_utils.compat import uuid7

from core import clock
from core.db import insert_for, scoped
from core.errors import Conflict
from core.idempotency.keys import check_key, request_hash
from core.idempotency.models import IdempotencyRecord
from tenants.registry import Tenant

T = TypeVar("T")
S = TypeVar("S", bound=Any)


class Answers:
    """One tenant's idempotent requests, in the caller's transaction (it flushes; the request commits)."""

    def __init__(self, session: AsyncSession, tenant: Tenant) -> None:
        self.session = session
        self.tenant = tenant

    async def once(
        self,
        request: Request[Any, Any, Any],
        key: str | None,
        effect: Callable[[], Awaitable[T]],
        *,
        status_code: int = 200,
    ) -> Response[T]:
        """`effect`'s answer with `status_code`; with a key, the first such answer for every repeat.

        The same key with another request (path, query, body) of the same operation is a 409
        `idempotency_key_reused`.
        """
        check_key(key)
        if key is None:
            return Response(await effect(), status_code=status_code)
        operation = operation_of(request)
        fingerprint = await fingerprint_of(request)
        found = await self._claim(operation, key, fingerprint)
        if found is not None:
            return replay(found, fingerprint)
        body = msgspec.json.encode(await effect())
        await self.session.execute(
            self._match(update(IdempotencyRecord), operation, key).values(
                status_code=status_code, body=body, updated_at=clock.now()
            )
        )
        return answer(body, status_code)

    async def _claim(self, operation: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
        """Claim the key for this request (None), or the record of the request that claimed it first.

        On PostgreSQL the insert waits for a transaction that claimed the same key and has not ended.
        """
        now = clock.now()
        claimed = await self.session.execute(
            insert_for(self.session, IdempotencyRecord)
            .values(
                id=uuid7(),
                tenant_id=self.tenant.slug,
                operation=operation,
                key=key,
                request_hash=fingerprint,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=["tenant_id", "operation", "key"])
            .returning(IdempotencyRecord.id)
        )
        if claimed.first() is not None:
            return None
        statement = self._match(select(IdempotencyRecord), operation, key)
        return (await self.session.execute(statement.execution_options(populate_existing=True))).scalar_one()

    def _match(self, statement: S, operation: str, key: str) -> S:
        matched: S = scoped(statement, IdempotencyRecord, self.tenant.slug).where(
            IdempotencyRecord.operation == operation, IdempotencyRecord.key == key
        )
        return matched


def replay(record: IdempotencyRecord, fingerprint: str) -> Response[Any]:
    if record.request_hash != fingerprint:
        raise Conflict("This Idempotency-Key was already used with a different request.", code="idempotency_key_reused")
    # A claim is answered in the transaction that made it: no other transaction sees it unanswered.
    assert record.status_code is not None, "an idempotency claim left unanswered"
    assert record.body is not None
    return answer(record.body, record.status_code)


def answer(body: bytes, status_code: int) -> Response[Any]:
    """The stored bytes as they are: Litestar sends bytes content unencoded."""
    return Response(content=body, status_code=status_code, media_type=MediaType.JSON)


def operation_of(request: Request[Any, Any, Any]) -> str:
    handler = request.route_handler
    return handler.operation_id if isinstance(handler.operation_id, str) else handler.handler_name


async def fingerprint_of(request: Request[Any, Any, Any]) -> str:
    """The request a key names: method, path, query and the JSON body's value (not its spelling)."""
    raw = await request.body()
    body = msgspec.json.decode(raw) if raw.strip() else None
    query = sorted(request.query_params.multi_items())
    return request_hash(request.method, request.url.path, query, body)
