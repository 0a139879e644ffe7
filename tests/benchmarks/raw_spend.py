"""The spend baseline of `make bench`: a minimal Litestar endpoint on raw asyncpg, one transaction a request.

`POST /t/bench/v1/customers/{customer}/spend` with `{"credits": n}` runs BEGIN, `UPDATE raw_accounts
... RETURNING`, `INSERT INTO raw_entries`, COMMIT on a pooled connection and answers the balance:
what a hand-written spend endpoint costs, no auth, no ledger rules. Served by uvicorn like the API
(`TOLLGATE_RAW_DSN` names the database, `TOLLGATE_RAW_POOL` the pool size per worker); `prepare`
creates its two tables and accounts in the benchmark's database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Request, post
from litestar.exceptions import HTTPException

TABLES = """
CREATE TABLE IF NOT EXISTS raw_accounts (customer text PRIMARY KEY, balance bigint NOT NULL);
CREATE TABLE IF NOT EXISTS raw_entries (
    id bigserial PRIMARY KEY, customer text NOT NULL, amount bigint NOT NULL, balance_after bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""
UPDATE = "UPDATE raw_accounts SET balance = balance - $2 WHERE customer = $1 AND balance >= $2 RETURNING balance"
INSERT = "INSERT INTO raw_entries (customer, amount, balance_after) VALUES ($1, $2, $3)"


async def prepare(dsn: str, customers: list[str], balance: int) -> None:
    """The baseline's tables, with one account per customer holding `balance`."""
    connection = await asyncpg.connect(dsn)
    try:
        await connection.execute(TABLES)
        await connection.executemany(
            "INSERT INTO raw_accounts VALUES ($1, $2) ON CONFLICT DO NOTHING", [(c, balance) for c in customers]
        )
    finally:
        await connection.close()


@asynccontextmanager
async def pool(app: Litestar) -> AsyncIterator[None]:
    size = int(os.environ.get("TOLLGATE_RAW_POOL", "32"))
    app.state.pool = await asyncpg.create_pool(os.environ["TOLLGATE_RAW_DSN"], min_size=size, max_size=size)
    try:
        yield
    finally:
        await app.state.pool.close()


@post("/t/bench/v1/customers/{customer:str}/spend", status_code=201)
async def spend(request: Request[object, object, object], customer: str, data: dict[str, int]) -> dict[str, int]:
    amount = data["credits"]
    async with request.app.state.pool.acquire() as connection, connection.transaction():
        balance = await connection.fetchval(UPDATE, customer, amount)
        if balance is None:
            raise HTTPException(status_code=402, detail="insufficient_credits")
        await connection.execute(INSERT, customer, -amount, balance)
    return {"balance": balance}


# No logging config: importing this module (the bench and the ledger verifier's test do) must not put
# Litestar's queue handler on the importing process's root logger.
app = Litestar([spend], lifespan=[pool], logging_config=None)
