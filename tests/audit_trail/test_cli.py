"""`tollgate audit verify|list|export`: the chain checked per tenant, and the trail read oldest first."""

from __future__ import annotations

import asyncio
import csv
import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from sqlalchemy import text

from core.cli import main
from tests.ledger.conftest import grant, put_customer


async def invoke(runtime: Any, *args: str) -> Result:
    # The CLI runs its own event loop, so it gets its own runtime and a thread.
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=runtime)


async def test_verify_list_and_export(client: Any, runtime: Any, make_runtime: Any, tmp_path: Path) -> None:
    await put_customer(client, "acme")
    await grant(client, "acme", 5)
    await grant(client, "acme", 6)
    result = await invoke(make_runtime(), "audit", "verify")
    assert result.exit_code == 0, result.output
    assert "alpha: 3 records, chain intact" in result.output
    assert "beta: 0 records, chain intact" in result.output

    result = await invoke(make_runtime(), "audit", "list", "--tenant", "alpha", "--action", "ledger.grant")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [(x["seq"], x["after"]["credits"]) for x in lines] == [(2, 5), (3, 6)]

    out = tmp_path / "trail.csv"
    result = await invoke(make_runtime(), "audit", "export", "--tenant", "alpha", "--format", "csv", "-o", str(out))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [(r["seq"], r["action"], r["principal"]) for r in rows] == [
        ("1", "customer.create", "alpha-service"),
        ("2", "ledger.grant", "alpha-admin"),
        ("3", "ledger.grant", "alpha-admin"),
    ]

    async with runtime.engine.begin() as conn:
        await conn.execute(text("ALTER TABLE audit_records DISABLE TRIGGER audit_records_append_only"))
        await conn.execute(text("DELETE FROM audit_records WHERE seq = 2"))
        await conn.execute(text("ALTER TABLE audit_records ENABLE TRIGGER audit_records_append_only"))
    result = await invoke(make_runtime(), "audit", "verify", "alpha")
    assert result.exit_code == 1, result.output
    assert "alpha: broken at record 3" in result.output and "record 2 is missing" in result.output
