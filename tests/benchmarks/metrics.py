"""`make bench`: a 12-month monthly metrics series on a large tenant, against one sequential scan of
`ledger_entries` in the same database and run.

A scratch PostgreSQL database holds one tenant with 100,000 customers, 1,000,000 ledger entries over 13
months, 100,000 grants, 50,000 subscription changes and 100,000 Stripe events, written with
`generate_series`. After `VACUUM ANALYZE`, each side runs three times warm and the best counts:
`SELECT sum(amount) FROM ledger_entries` (a full scan) and `read_metrics` for the last 12 months by
month (what `GET /admin/metrics` runs, without HTTP), after the daily task rolled up the closed days (timed
apart). Rows carry the times they were written, as in a deployment that wrote them as they happened.
Prints both and their ratio, and each family's time; asserts nothing.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg

from core.migrate import upgrade

ADMIN_DSN = os.environ.get("TOLLGATE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CUSTOMERS = int(os.environ.get("TOLLGATE_BENCH_CUSTOMERS", "100000"))
ENTRIES = int(os.environ.get("TOLLGATE_BENCH_ENTRIES", "1000000"))
CHANGES = int(os.environ.get("TOLLGATE_BENCH_CHANGES", "50000"))
RUNS = 3
UNTIL = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)
# Rows are spread over the 13 months before UNTIL (so the window's opening balance has history behind it).
SPAN_SECONDS = 395 * 86400


def settings_file(db_url: str, directory: Path) -> Path:
    path = directory / "bench.toml"
    path.write_text(
        f"""
[default]
debug = false
[default.database]
url = "{db_url}"
[default.jobs]
broker = "memory"
embedded_scheduler = false
[default.secrets]
backend = "settings"
[default.tenants.bench]
name = "Bench"
plugins = ["subscriptions"]
[default.tenants.bench.subscriptions]
default_tier = "free"
tiers = [{{ id = "free", name = "Free" }}, {{ id = "basic", name = "Basic" }}, {{ id = "pro", name = "Pro" }}]
[default.tenant_secrets.bench]
stripe_secret_key = "sk_test_bench"
api_keys = []
"""
    )
    return path


SEED = [
    f"""INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'c' || i, '{{}}', 'bench', now(), now() FROM generate_series(1, {CUSTOMERS}) i""",
    f"""INSERT INTO credit_accounts (id, customer_id, customer, balance, held, debt, last_seq, unlimited, tenant_id,
    created_at, updated_at)
    SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, 'c' || i, 0, 0, 0, 0, false, 'bench', now(), now()
    FROM generate_series(1, {CUSTOMERS}) i""",
    f"""INSERT INTO credit_grants (id, account_id, amount, remaining, reserved, consumed, expired, clawed_back,
    priority, source, source_ref, metadata, tenant_id, created_at, updated_at)
    SELECT md5('g' || i)::uuid, md5('a' || i)::uuid, 1000, 500, 0, 500, 0, 0, 50, 'admin', 'g' || i, '{{}}', 'bench',
    TIMESTAMPTZ '{UNTIL.isoformat()}' - make_interval(secs => (i::bigint * 7919) % {SPAN_SECONDS}), now()
    FROM generate_series(1, {CUSTOMERS}) i""",
    f"""INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, metadata, tenant_id, created_at,
    updated_at)
    SELECT md5('e' || i)::uuid, md5('a' || (1 + i % {CUSTOMERS}))::uuid, i / {CUSTOMERS} + 1,
    CASE WHEN i % 10 = 0 THEN 'grant' WHEN i % 10 = 1 THEN 'expire' ELSE 'spend' END,
    CASE WHEN i % 10 = 0 THEN 100 ELSE -1 END, 0, '{{}}', 'bench',
    TIMESTAMPTZ '{UNTIL.isoformat()}' - make_interval(secs => (i::bigint * 104729) % {SPAN_SECONDS}), now()
    FROM generate_series(1, {ENTRIES}) i""",
    f"""INSERT INTO subscription_changes (id, customer_id, subscription, occurred_at, kind, currency, tier,
    previous_tier, status, previous_status, arr_before, arr_after, cancel_at_period_end, backfilled, tenant_id,
    created_at, updated_at)
    SELECT md5('s' || i)::uuid, md5('c' || (1 + i % {CUSTOMERS}))::uuid, 'sub_' || (i % 20000), t.at,
    (ARRAY['new', 'expansion', 'contraction', 'churn'])[1 + i % 4], (ARRAY['usd', 'eur'])[1 + i % 2],
    (ARRAY['basic', 'pro'])[1 + i % 2], (ARRAY['basic', 'pro'])[1 + (i + 1) % 2], 'active', 'active',
    (i % 4) * 12000, ((i + 1) % 4) * 12000, false, false, 'bench', t.at, t.at
    FROM generate_series(1, {CHANGES}) i,
    LATERAL (SELECT TIMESTAMPTZ '{UNTIL.isoformat()}' - make_interval(secs => (i::bigint * 15485863) % {SPAN_SECONDS})
        AS at) t""",
    f"""INSERT INTO webhook_events (id, stripe_event_id, event_type, event_created, payload, status, attempts,
    next_attempt_at, processed_at, handlers, source, tenant_id, created_at, updated_at)
    SELECT md5('w' || i)::uuid, 'evt_' || i, 'invoice.paid', 0, '{{}}', 'processed', 1, now(),
    t.at + interval '2 seconds', '[]', 'delivery', 'bench', t.at, t.at + interval '2 seconds'
    FROM generate_series(1, {CUSTOMERS}) i,
    LATERAL (SELECT TIMESTAMPTZ '{UNTIL.isoformat()}' - make_interval(secs => (i::bigint * 7919) % {SPAN_SECONDS})
        AS at) t""",
    """UPDATE credit_accounts a SET balance = s.total FROM (
    SELECT account_id, sum(amount) AS total FROM ledger_entries GROUP BY account_id) s WHERE s.account_id = a.id""",
]


async def best_of(runs: int, work: Callable[[], Awaitable[object]]) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        await work()
        timings.append(time.perf_counter() - started)
    return min(timings)


async def main() -> None:
    # TOLLGATE_BENCH_DB: an earlier run's database, kept by TOLLGATE_BENCH_KEEP=1 (no seeding, no drop).
    reused = os.environ.get("TOLLGATE_BENCH_DB")
    name = reused or f"tollgate_bench_{uuid.uuid4().hex[:8]}"
    keep = bool(reused) or os.environ.get("TOLLGATE_BENCH_KEEP") == "1"
    admin = await asyncpg.connect(ADMIN_DSN)
    if not reused:
        await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    db_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    work = Path(tempfile.mkdtemp(prefix="tollgate-bench-"))
    try:
        os.environ.update(TOLLGATE_SETTINGS=str(settings_file(db_url, work)), TOLLGATE_ENV="production")
        connection = await asyncpg.connect(dsn)
        if not reused:
            await asyncio.to_thread(upgrade, db_url)
            started = time.perf_counter()
            for statement in SEED:
                await connection.execute(statement)
            await connection.execute("VACUUM ANALYZE")
            print(
                f"database {name}: {CUSTOMERS:,} customers, {ENTRIES:,} ledger entries, {CHANGES:,} subscription "
                f"changes, seeded in {time.perf_counter() - started:.0f} s"
            )
        scan = await best_of(RUNS, lambda: connection.fetchval("SELECT sum(amount) FROM ledger_entries"))
        await connection.close()

        from core.analytics.credits import credit_series
        from core.analytics.operations import operation_series
        from core.analytics.series import Series
        from core.analytics.service import read_metrics
        from core.analytics.tasks import roll_up_tenant
        from core.runtime import Runtime
        from plugins.subscriptions.metrics import subscription_series

        runtime = Runtime.build()
        tenant = runtime.tenants.get("bench")
        series = Series.of(None, UNTIL, "month", None, now=UNTIL, dialect="postgresql")
        # The daily task rolls up every closed day (here: the 13 months at once, as after the migration).
        started = time.perf_counter()
        await roll_up_tenant(runtime, "bench")
        built = time.perf_counter() - started
        # What autovacuum does within a minute of the rollup's first build: statistics for its new rows.
        connection = await asyncpg.connect(dsn)
        await connection.execute("ANALYZE metrics_rollup")
        await connection.close()

        async def metrics() -> object:
            async with runtime.sessions() as session:
                return await read_metrics(session, tenant, series, runtime.plugins, runtime)

        def family(read: Callable[[Any], Awaitable[object]]) -> Callable[[], Awaitable[object]]:
            async def run() -> object:
                async with runtime.sessions() as session:
                    return await read(session)

            return run

        answer = await metrics()
        took = await best_of(RUNS, metrics)
        families = {
            "credits": family(lambda s: credit_series(s, tenant, series, [], {})),
            "operations": family(lambda s: operation_series(s, tenant, series, [])),
            "subscriptions": family(lambda s: subscription_series(s, tenant, series)),
        }
        timings = {name: await best_of(RUNS, read) for name, read in families.items()}
        await runtime.stop()
        await runtime.engine.dispose()
        print(f"  rollup of every closed day (daily task)   {built * 1000:8.1f} ms   (once)")
        print(f"  one sequential scan of ledger_entries     {scan * 1000:8.1f} ms")
        print(f"  12-month monthly metrics (read_metrics)   {took * 1000:8.1f} ms")
        for family_name, seconds in timings.items():
            print(f"    of which {family_name:<31}{seconds * 1000:8.1f} ms")
        print(f"  metrics / scan                            {took / scan:8.2f}   [<= 0.50]")
        assert len(answer.credits.series) == 12  # type: ignore[attr-defined]
    finally:
        if keep:
            print(f"kept: TOLLGATE_BENCH_DB={name}")
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
