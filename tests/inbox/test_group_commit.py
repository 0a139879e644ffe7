"""Group commit on PostgreSQL: concurrent deliveries share one INSERT, and each still gets its own answer."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import func, select, text

from core.app import create_app
from core.errors import ServiceUnavailable
from core.inbox.models import WebhookEvent
from core.inbox.repository import NewEvent
from core.inbox.services import InboxService
from core.runtime import Runtime
from tests.inbox.conftest import grants_by_invoice
from tests.inbox.stripe_events import deliver, encode, invoice_paid
from tests.support.app import asgi_client
from tests.support.jobs import drain


def new_event(evt: dict[str, Any], tenant: str = "alpha", payload: str | None = None) -> NewEvent:
    return NewEvent(
        tenant_id=tenant,
        stripe_event_id=evt["id"],
        event_type=evt["type"],
        object_id=evt["data"]["object"]["id"],
        event_created=evt["created"],
        payload=encode(evt).decode() if payload is None else payload,
        status="pending",
    )


async def count_rows(runtime: Runtime) -> dict[str, int]:
    async with runtime.sessions() as session:
        statement = select(WebhookEvent.tenant_id, func.count()).group_by(WebhookEvent.tenant_id)
        return dict((await session.execute(statement)).all())  # type: ignore[arg-type]


async def test_concurrent_deliveries_with_duplicates_are_stored_once_each(runtime: Runtime, client: Any) -> None:
    events = [invoice_paid() for _ in range(40)]
    # Each event three times at once (same batch, or the next one while the first is in flight).
    responses = await asyncio.gather(*(deliver(client, evt) for evt in events for _ in range(3)))
    assert {r.status_code for r in responses} == {200}
    by_event: dict[str, list[bool]] = {}
    for evt, response in zip([e for e in events for _ in range(3)], responses, strict=True):
        by_event.setdefault(evt["id"], []).append(response.json()["duplicate"])
    assert all(sorted(answers) == [False, True, True] for answers in by_event.values()), by_event
    await drain(runtime)
    assert await count_rows(runtime) == {"alpha": 40}
    assert await grants_by_invoice(runtime) == {e["data"]["object"]["id"]: 1 for e in events}


async def test_a_duplicate_within_one_batch_and_in_a_later_one(runtime: Runtime) -> None:
    inbox = InboxService(runtime)
    assert inbox.writer is not None, "PostgreSQL stores through the group commit"
    evt = invoice_paid()
    # Handed over in the same loop turn: one flush takes both.
    first, second = await asyncio.gather(inbox.writer.store(new_event(evt)), inbox.writer.store(new_event(evt)))
    assert (first.row_id is None) != (second.row_id is None), "exactly one of the two is new"
    later = await inbox.writer.store(new_event(evt))
    assert later.row_id is None
    await inbox.close()
    await drain(runtime)
    assert await count_rows(runtime) == {"alpha": 1}


async def test_a_failing_flush_fails_every_request_of_its_batch_and_stores_nothing(runtime: Runtime) -> None:
    inbox = InboxService(runtime)
    assert inbox.writer is not None
    good, bad = invoice_paid(), invoice_paid()
    # PostgreSQL refuses a NUL in text: the one statement, and so the whole batch, fails.
    results = await asyncio.gather(
        inbox.writer.store(new_event(good)),
        inbox.writer.store(new_event(bad, payload="\x00")),
        return_exceptions=True,
    )
    assert all(isinstance(r, ServiceUnavailable) for r in results), results
    assert await count_rows(runtime) == {}
    # The next batch is on its own (and the connection that failed was replaced).
    assert (await inbox.writer.store(new_event(good))).row_id is not None
    await inbox.close()
    await drain(runtime)
    assert await count_rows(runtime) == {"alpha": 1}


async def test_a_database_failure_answers_503_and_stripe_retries(runtime: Runtime, make_runtime: Any) -> None:
    broken = make_runtime(database={"url": "postgresql+asyncpg://postgres@127.0.0.1:1/nowhere"})
    async with asgi_client(create_app(broken)) as http:
        response = await deliver(http, invoice_paid())
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "inbox_unavailable"


async def test_the_same_event_id_in_one_batch_for_two_tenants_is_two_rows(runtime: Runtime) -> None:
    inbox = InboxService(runtime)
    assert inbox.writer is not None
    evt = invoice_paid()
    alpha, beta = await asyncio.gather(
        inbox.writer.store(new_event(evt, "alpha")), inbox.writer.store(new_event(evt, "beta"))
    )
    assert alpha.row_id is not None
    assert beta.row_id is not None
    assert alpha.row_id != beta.row_id
    await inbox.close()
    await drain(runtime)
    assert await count_rows(runtime) == {"alpha": 1, "beta": 1}


async def test_bodies_are_kept_out_of_the_row_lz4_compressed(runtime: Runtime) -> None:
    """Every attempt rewrites an event's row: the body (kB) is not in it, so it is written once (migration 0009)."""
    events = [invoice_paid() for _ in range(3)]

    async def bodies_out_of_line() -> int:
        async with runtime.engine.connect() as connection:
            toast = await connection.scalar(
                text("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = 'webhook_events'")
            )
            return int(await connection.scalar(text(f"SELECT count(DISTINCT chunk_id) FROM {toast}")))

    before = await bodies_out_of_line()
    writer = InboxService(runtime).writer
    assert writer is not None
    await asyncio.gather(*(writer.store(new_event(evt)) for evt in events))
    assert await bodies_out_of_line() - before == len(events)
    async with runtime.engine.connect() as connection:
        options = await connection.scalar(text("SELECT reloptions FROM pg_class WHERE relname = 'webhook_events'"))
        methods = await connection.scalars(text("SELECT DISTINCT pg_column_compression(payload) FROM webhook_events"))
        assert list(methods) == ["lz4"]
    assert "toast_tuple_target=512" in options


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_stores_each_event_alone(runtime: Runtime) -> None:
    assert InboxService(runtime).writer is None


async def test_a_tenant_with_erased_customers_is_told_so_in_the_batch_and_nothing_is_stored(runtime: Runtime) -> None:
    from core.customers.erasure import ensured_salt
    from core.db import session_scope
    from core.inbox.writer import Salted

    async with session_scope(runtime.sessions) as session:
        salt = await ensured_salt(session, "alpha")
    inbox = InboxService(runtime)
    assert inbox.writer is not None
    alpha, beta, unchecked = invoice_paid(), invoice_paid(), invoice_paid()
    # One flush: alpha's checked event comes back with the key, beta's (no erasures) and the unchecked one are stored.
    answers = await asyncio.gather(
        inbox.writer.store(new_event(alpha), unless_salted=True),
        inbox.writer.store(new_event(beta, "beta"), unless_salted=True),
        inbox.writer.store(new_event(unchecked), unless_salted=False),
        return_exceptions=True,
    )
    assert isinstance(answers[0], Salted) and answers[0].salt == salt
    assert [type(a).__name__ for a in answers[1:]] == ["Stored", "Stored"]
    await inbox.close()
    await drain(runtime)
    assert await count_rows(runtime) == {"alpha": 1, "beta": 1}
