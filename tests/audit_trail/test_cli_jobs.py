"""The CLI's admin jobs are audited as their admin routes are, by `system:cli`: a catalog sync, a reconcile
(a dry run changes nothing and records nothing)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from core.audit_trail.models import AuditRecord
from core.db import session_scope
from tests.audit_trail.test_holds_and_cli import invoke
from tests.audit_trail.test_routes import FREE
from tests.support.stripe_tenants import alpha_key, beta_key, settings_overrides, tenant_secrets  # noqa: F401 - fixtures
from tests.support.tenants import tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {
        "alpha": tenant_block(
            "Alpha App",
            ["product_sync", "subscriptions"],
            product_sync={"schedule": False},
            subscriptions={"tiers": [FREE]},
        ),
        "beta": tenant_block("Beta App"),
    }


async def records(runtime: Any) -> list[tuple[str, str, str]]:
    async with session_scope(runtime.sessions) as session:
        statement = select(AuditRecord.action, AuditRecord.principal, AuditRecord.target).order_by(AuditRecord.seq)
        return [tuple(row) for row in (await session.execute(statement)).all()]  # type: ignore[misc]


async def test_a_catalog_sync_and_a_reconcile_are_audited_as_the_cli(runtime: Any, make_runtime: Any) -> None:
    result = await invoke(make_runtime(), "catalog", "sync", "alpha")
    assert result.exit_code == 0, result.output
    [(action, principal, target)] = await records(runtime)
    assert (action, principal) == ("catalog.sync", "system:cli")
    assert target.startswith("sync_run:")

    result = await invoke(make_runtime(), "subscriptions", "reconcile", "--dry-run")
    assert result.exit_code == 0, result.output
    assert len(await records(runtime)) == 1
    result = await invoke(make_runtime(), "subscriptions", "reconcile")
    assert result.exit_code == 0, result.output
    assert (await records(runtime))[1:] == [("subscriptions.reconcile", "system:cli", "tenant:alpha")]
