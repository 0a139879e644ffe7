"""A failed delivery as admins see it: the error's type and one line, never a traceback; the log keeps the traceback."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from core.app import create_app
from core.db import session_scope
from core.notifications import notify
from core.notifications.models import Notification
from core.runtime import Runtime
from tests.notifications.conftest import TenantApp
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import auth, tenant_block

NOTICES = "/t/alpha/v1/admin/notifications"


async def send(runtime: Runtime) -> str:
    async with session_scope(runtime.sessions) as session:
        await notify(session, runtime.tenants.get("alpha"), "payment.failed", {"customer": "cust-1"})
    await drain(runtime)
    async with runtime.sessions() as session:
        return str(await session.scalar(select(Notification.id)))


@pytest.fixture
async def unreachable(runtime: Runtime, make_runtime: Any) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """A runtime whose tenant app cannot be reached, and the API client of its app (started before the test
    runs, so that the app's logging set-up comes before the test's log capture)."""
    built: Runtime = make_runtime(
        tenants={"alpha": tenant_block("Alpha App", notifications={"url": "http://127.0.0.1:9/hooks"})}
    )
    async with asgi_client(create_app(built)) as client:
        yield built, client
        await drain(built)


async def test_an_app_that_cannot_be_reached_shows_one_line_and_logs_the_traceback(
    unreachable: tuple[Runtime, httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, client = unreachable
    with caplog.at_level(logging.WARNING, logger="tollgate.notifications"):
        row_id = await send(runtime)
    shown = (await client.get(f"{NOTICES}/{row_id}", headers=auth("alpha", "admin"))).json()
    listed = (await client.get(NOTICES, headers=auth("alpha", "admin"))).json()["data"]
    assert shown["status"] == "failed"
    assert shown["last_error"] == "ConnectError: All connection attempts failed"
    assert [n["last_error"] for n in listed] == [shown["last_error"]]
    (record,) = [r for r in caplog.records if r.name == "tollgate.notifications" and row_id in r.getMessage()]
    assert "alpha" in record.getMessage()
    assert record.exc_info is not None, "operators keep the traceback in the log"


async def test_a_refusing_app_shows_its_answer_on_one_line(
    runtime: Runtime, client: Any, tenant_app: TenantApp
) -> None:
    tenant_app.answers = [500]
    row_id = await send(runtime)
    shown = (await client.get(f"{NOTICES}/{row_id}", headers=auth("alpha", "admin"))).json()
    assert (shown["status"], shown["last_status_code"]) == ("failed", 500)
    assert shown["last_error"] == f"DeliveryFailed: HTTP 500 from {tenant_app.url}: the app is down"


async def test_a_traceback_stored_before_is_shown_as_its_first_line(
    runtime: Runtime, client: Any, tenant_app: TenantApp
) -> None:
    row_id = await send(runtime)
    old = (
        "ConnectError: All connection attempts failed\n\nTraceback (most recent call last):\n"
        '  File "/work/main/core/notifications/services.py", line 170, in _post\n'
    )
    async with session_scope(runtime.sessions) as session:
        await session.execute(update(Notification).values(last_error=old))
    shown = (await client.get(f"{NOTICES}/{row_id}", headers=auth("alpha", "admin"))).json()
    assert shown["last_error"] == "ConnectError: All connection attempts failed"
