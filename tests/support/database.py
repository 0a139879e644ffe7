"""Database set-up for tests: migrate once per session, wipe every table before each test."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from core.db import metadata


async def wipe(engine: AsyncEngine) -> None:
    tables = [t.name for t in reversed(metadata.sorted_tables)]
    if not tables:
        return
    async with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                await conn.execute(text(f"DELETE FROM {table}"))


async def row_counts(engine: AsyncEngine) -> dict[str, int]:
    """Rows in every table, in one statement: compared before and after a call that must write nothing."""
    tables = [t.name for t in metadata.sorted_tables]
    union = " UNION ALL ".join(f"SELECT '{name}' AS t, count(*) AS n FROM {name}" for name in tables)
    async with engine.connect() as conn:
        return {str(name): int(count) for name, count in (await conn.execute(text(union))).all()}
