"""`tollgate ledger verify` for tests that end on a database: reliability tests, the deployment, benchmarks."""

from __future__ import annotations

from typing import Any

from core.ledger.sources import grant_sources
from core.ledger.verify import Report, verify_ledger


async def verify_database(db_url: str, plugins: Any = None) -> Report:
    """Every invariant of every account at `db_url`; the sources of `plugins` (default: those installed)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    from core.plugins import load_plugins

    engine = create_async_engine(db_url)
    try:
        return await verify_ledger(engine, sources=grant_sources(plugins or load_plugins()))
    finally:
        await engine.dispose()


async def assert_ledger_verified(runtime: Any) -> Report:
    """The runtime's ledger passes every check, its plugins' grant sources included."""
    report = await verify_ledger(runtime.engine, sources=grant_sources(runtime.plugins))
    assert [v.line() for v in report.violations] == [], report.counts
    return report
