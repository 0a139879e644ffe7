"""Fixtures of the outbox tests: a live tenant app that records the notices it receives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.support.app import live_server
from tests.support.tenants import tenant_block


@dataclass
class TenantApp:
    """A tenant app's webhook endpoint: records every request, answers the queued statuses (then 200)."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while (message := await receive())["type"] != "lifespan.shutdown":
                await send({"type": message["type"] + ".complete"})
            await send({"type": "lifespan.shutdown.complete"})
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        self.received.append(({k.decode(): v.decode() for k, v in scope["headers"]}, body))
        status = self.answers.pop(0) if self.answers else 200
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"thanks" if status < 300 else b"the app is down"})


@pytest.fixture
async def tenant_app() -> AsyncIterator[TenantApp]:
    app = TenantApp()
    async with live_server(app) as url:
        app.url = f"{url}/hooks/tollgate"
        yield app


@pytest.fixture
def tenants_config(tenant_app: TenantApp) -> dict[str, Any]:
    return {
        "alpha": tenant_block("Alpha App", notifications={"url": tenant_app.url, "max_attempts": 3}),
        "beta": tenant_block("Beta App"),
    }


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"outbox": {"backoff_base_seconds": 1, "timeout_seconds": 5}}
