"""`make bench`: spends per second through the HTTP API on PostgreSQL, against pgbench baselines.

In one scratch database: pgbench's built-in simple-update (`-N`) and a one-row hot UPDATE script at
64 clients (and the hot one at 8), then Tollgate under uvicorn (2 workers, uvloop, httptools) with
64 clients spending (a) over 1,000 customers and (b) all on one customer (and (b) at 8 clients),
then (a) again open-loop at half its peak rate for latency; then one client spending one request
after another, against the same on a minimal Litestar + raw asyncpg endpoint (`raw_spend`, same
uvicorn settings), alternated twice. Every measured run, the baselines' too, starts from a checkpoint
(`harness.checkpoint`): none pays for the WAL of the run before it. Prints rates, ratios, p50/p99
and the ledger verifier's report after the run (`core.ledger.verify`, exit 1 when broken). It
asserts nothing about time: the figures are for reading.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from core.ledger.verify import CHECKS, Report
from core.migrate import upgrade
from tests.benchmarks.harness import ROOT, checkpoint, execute, pgbench, pgbench_binary, start_server
from tests.benchmarks.raw_spend import prepare
from tests.support.ledger import verify_database

ADMIN_DSN = os.environ.get("TOLLGATE_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
SECONDS = float(os.environ.get("TOLLGATE_BENCH_SECONDS", "10"))
CLIENTS = 64
SPREAD_CUSTOMERS = 1000
TOKEN = "tg_bench_service_key"
WORKERS = int(os.environ.get("TOLLGATE_BENCH_WORKERS", "2"))
RAW_MANY = "raw asyncpg endpoint, 64 clients over 1,000 customers"


def settings_file(db_url: str, directory: Path) -> Path:
    import hashlib

    digest = hashlib.sha256(TOKEN.encode()).hexdigest()
    path = directory / "bench.toml"
    path.write_text(
        f"""
[default]
debug = false
[default.database]
url = "{db_url}"
pool_size = {CLIENTS // WORKERS}
max_overflow = 0
[default.jobs]
broker = "memory"
embedded_scheduler = false
[default.secrets]
backend = "settings"
[default.rate_limits]
enabled = false  # the bench measures the spend path's capacity; the default limits would cut it
[default.tenants.bench]
name = "Bench"
plugins = []
[default.tenant_secrets.bench]
stripe_secret_key = "sk_test_bench"
api_keys = [{{ hash = "{digest}", scopes = ["service", "admin"], name = "bench" }}]
"""
    )
    return path


async def seed(db_url: str, customers: list[str]) -> None:
    """Customers with a grant large enough never to run out during the run."""
    from core.customers.schemas import CustomerUpsert
    from core.customers.services import CustomerService
    from core.db import session_scope
    from core.ledger.services import Ledger
    from core.runtime import Runtime

    runtime = Runtime.build()
    tenant = runtime.tenants.get("bench")
    for start in range(0, len(customers), 100):
        async with session_scope(runtime.sessions) as session:
            for customer in customers[start : start + 100]:
                await CustomerService(session, tenant).upsert(customer, CustomerUpsert())
                await Ledger(session, tenant).grant(
                    customer, 10**12, source="admin", source_ref=f"bench:{customer}", reason="benchmark seed"
                )
    await runtime.engine.dispose()


async def measured(dsn: str, url: str, customers: list[str], clients: int, **options: Any) -> dict[str, Any]:
    """`load`, started from a checkpoint."""
    await checkpoint(dsn)
    return await asyncio.to_thread(load, url, customers, clients, **options)


async def measured_pgbench(dsn: str, *args: str) -> float:
    """`pgbench`, started from a checkpoint."""
    await checkpoint(dsn)
    return await asyncio.to_thread(pgbench, dsn, *args)


def load(
    url: str, customers: list[str], clients: int, rate: float | None = None, seconds: float = SECONDS
) -> dict[str, Any]:
    args = [
        sys.executable,
        "-m",
        "tests.benchmarks.http_load",
        "--url",
        url,
        "--token",
        TOKEN,
        "--customers",
        ",".join(customers),
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
    ]
    if rate:
        args += ["--rate", str(rate)]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def print_verification(report: Report) -> None:
    print(f"\nledger verify: {report.accounts} accounts, {report.grants} grants, {report.entries} entries")
    for name, broken in report.counts.items():
        print(f"  {CHECKS[name]:<72} {broken}")
    for violation in report.first(10):
        print(f"  ✗ {violation.line()}")


def line(label: str, result: dict[str, Any]) -> str:
    return (
        f"  {label:<44} {result['rate']:8.0f}/s   p50 {result['p50_ms']:6.1f} ms   p99 {result['p99_ms']:6.1f} ms"
        f"   statuses {result['statuses']}"
    )


async def main() -> None:
    name = f"tollgate_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    limit = int(await admin.fetchval("SHOW max_connections"))
    used = int(await admin.fetchval("SELECT count(*) FROM pg_stat_activity"))
    if limit - used < CLIENTS + 4:
        await admin.close()
        sys.exit(f"PostgreSQL has {limit - used} free connections; the benchmark needs {CLIENTS + 4} (tests running?)")
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    db_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    work = Path(tempfile.mkdtemp(prefix="tollgate-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"database {name}: {CLIENTS} clients, {SECONDS:.0f} s a run", end="")
        print(f", {WORKERS} uvicorn workers, {os.cpu_count()} cores")
        await asyncio.to_thread(upgrade, db_url)
        subprocess.run([pgbench_binary(), "-i", "-q", "-s", "1", dsn], check=True, capture_output=True)
        hot_script = work / "hot_update.sql"
        hot_script.write_text("UPDATE pgbench_accounts SET abalance = abalance + 1 WHERE aid = 1;\n")
        duration = str(int(SECONDS))
        simple_update = await measured_pgbench(dsn, "-N", "-c", str(CLIENTS), "-j", "2", "-T", duration)
        hot_update = await measured_pgbench(
            dsn, "-n", "-f", str(hot_script), "-c", str(CLIENTS), "-j", "2", "-T", duration
        )
        hot_update_8 = await measured_pgbench(dsn, "-n", "-f", str(hot_script), "-c", "8", "-j", "2", "-T", duration)

        env = {**os.environ, "TOLLGATE_SETTINGS": str(settings_file(db_url, work)), "TOLLGATE_ENV": "production"}
        os.environ.update({k: env[k] for k in ("TOLLGATE_SETTINGS", "TOLLGATE_ENV")})
        spread = [f"c{i}" for i in range(SPREAD_CUSTOMERS)]
        await seed(db_url, [*spread, "hot"])
        # Statistics for the seeded tables, as `pgbench -i` gathers them for its own (and autovacuum would
        # within a minute). Without them, the connections' first plans of `tollgate_spend` are made
        # blind, and kept until an ANALYZE: one of them read every entry of the account for the
        # idempotency-key lookup, which the hot customer's growing ledger turned into 30 ms a call.
        await execute(dsn, "VACUUM ANALYZE")
        server, url = start_server(env, WORKERS)
        load(url, spread[:50], 8)  # warm both workers' pools and caches
        a = await measured(dsn, url, spread, CLIENTS)
        b = await measured(dsn, url, ["hot"], CLIENTS)
        b8 = await measured(dsn, url, ["hot"], 8)
        half = await measured(dsn, url, spread, CLIENTS, rate=a["rate"] / 2)
        ones = await one_client(env, dsn, server, url, spread)
        server = None
        verified = await verify_database(db_url)

        print("\nbaselines (pgbench, same database)")
        print(f"  {'simple-update (-N), 64 clients':<44} {simple_update:8.0f}/s")
        print(f"  {'one-row hot UPDATE, 64 clients':<44} {hot_update:8.0f}/s")
        print(f"  {'one-row hot UPDATE, 8 clients':<44} {hot_update_8:8.0f}/s")
        print("\nPOST /spend through the HTTP API")
        print(line("(a) 64 clients over 1,000 customers", a))
        print(line("(b) 64 clients on one customer", b))
        print(line("(b) 8 clients on one customer", b8))
        print(line(f"(a) open loop at half peak ({a['rate'] / 2:.0f}/s)", half))
        print("\none client, one spend after another (alternated: Tollgate, raw, Tollgate, raw)")
        for label, result in ones:
            print(line(label, result))
        raw_many = dict(ones)[RAW_MANY]
        ones = [(label, result) for label, result in ones if label != RAW_MANY]
        tollgate_p50 = sorted(r["p50_ms"] for label, r in ones if label.startswith("Tollgate"))[0]
        raw_p50 = sorted(r["p50_ms"] for label, r in ones if label.startswith("raw"))[0]
        print("\nratios (targets in brackets)")
        print(f"  (a) / simple-update          {a['rate'] / simple_update:5.2f}   [>= 0.60]")
        print(f"  (b) / hot UPDATE             {b['rate'] / hot_update:5.2f}   [>= 1.50]")
        print(f"  one client p50 / raw p50     {tollgate_p50 / raw_p50:5.2f}   [<= 1.30] (best of two each)")
        print(f"  (b) 64 clients / 8 clients   {b['rate'] / b8['rate']:5.2f}   [>= 0.80]")
        print(f"  p99 at half peak             {half['p99_ms']:5.1f} ms [<= 25 ms]")
        print(f"  raw endpoint (64) / simple-update {raw_many['rate'] / simple_update:5.2f}   (the HTTP ceiling)")
        print(f"  (a) / raw endpoint (64)           {a['rate'] / raw_many['rate']:5.2f}")
        print_verification(verified)
        if not verified.clean:
            sys.exit(1)
    finally:
        if server is not None:
            server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)


async def one_client(
    env: dict[str, str], dsn: str, server: subprocess.Popen[bytes], url: str, customers: list[str]
) -> list[tuple[str, dict[str, Any]]]:
    """One client against Tollgate (already serving at `url`, stopped here) and against the raw endpoint."""
    await prepare(dsn, customers, 10**12)
    raw_env = {**env, "TOLLGATE_RAW_DSN": dsn, "TOLLGATE_RAW_POOL": str(CLIENTS // WORKERS)}
    raw, raw_url = start_server(raw_env, WORKERS, app="tests.benchmarks.raw_spend:app")
    try:
        load(raw_url, customers[:50], 8, seconds=2)  # warm its pools
        results = []
        for n in (1, 2):
            results.append((f"Tollgate POST /spend ({n})", await measured(dsn, url, customers, 1, seconds=SECONDS / 2)))
            results.append(
                (f"raw asyncpg endpoint ({n})", await measured(dsn, raw_url, customers, 1, seconds=SECONDS / 2))
            )
        # What the machine allows a spend over HTTP at 64 clients: the raw endpoint, as (a) runs Tollgate.
        results.append((RAW_MANY, await measured(dsn, raw_url, customers, CLIENTS)))
        return results
    finally:
        raw.terminate()
        raw.wait(30)
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    asyncio.run(main())
