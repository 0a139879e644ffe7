"""`tollgate credits`: an operator grants, reads a balance and runs the expiry, with clear errors."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from click.testing import CliRunner, Result

from core import clock
from core.cli import main
from core.runtime import Runtime
from tests.support.tenants import auth


async def invoke(runtime: Runtime, *args: str) -> Result:
    # The CLI runs its own event loop, so it gets its own runtime and a thread.
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=runtime)


async def test_grant_balance_and_expire(client: Any, runtime: Runtime, make_runtime: Any) -> None:
    await client.put("/t/alpha/v1/customers/op-1", json={}, headers=auth("alpha"))
    result = await invoke(make_runtime(), "credits", "grant", "alpha", "op-1", "250", "--expires-in-days", "10")
    assert result.exit_code == 0, result.output
    assert "balance 250" in result.output

    r = await client.get("/t/alpha/v1/customers/op-1/balance", headers=auth("alpha"))
    assert r.json()["balance"] == 250

    clock.advance(dt.timedelta(days=11))
    result = await invoke(make_runtime(), "credits", "expire", "alpha")
    assert result.exit_code == 0, result.output
    assert "settled 1 account(s)" in result.output
    result = await invoke(make_runtime(), "credits", "balance", "alpha", "op-1")
    assert "balance 0" in result.output


async def test_same_reference_never_grants_twice(client: Any, runtime: Runtime, make_runtime: Any) -> None:
    await client.put("/t/alpha/v1/customers/op-2", json={}, headers=auth("alpha"))
    for _ in range(2):
        result = await invoke(make_runtime(), "credits", "grant", "alpha", "op-2", "40", "--reference", "ticket-7")
        assert result.exit_code == 0, result.output
    r = await client.get("/t/alpha/v1/customers/op-2/balance", headers=auth("alpha"))
    assert r.json()["balance"] == 40


async def test_errors_are_one_clear_line(runtime: Runtime, make_runtime: Any) -> None:
    result = await invoke(make_runtime(), "credits", "grant", "nowhere", "op-3", "5")
    assert result.exit_code != 0
    assert "tenant_not_found" in result.output
    result = await invoke(make_runtime(), "credits", "grant", "alpha", "op-3", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
