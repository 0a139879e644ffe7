"""`make bench`: the Stripe webhook pipeline, against baselines measured in the same run.

In one scratch database and on the same Redis: pgbench one-row INSERTs (a bare row, and an
inbox-sized row with a unique key) and taskiq no-op tasks drained by one worker; then Tollgate under
uvicorn (2 workers, uvloop, httptools) accepting signed events (verify + store + enqueue) closed-loop
and open-loop at half that rate, and one `taskiq worker` processing the accepted backlog end to end
(claim, the recorder plugin's handler, settle). Prints rates, latencies and ratios; asserts nothing
about time. Needs the recorder test plugin (`make build/test-plugins/.installed`).

Rates are capacities: pgbench and Stripe's deliveries both run at 64 concurrent clients (a burst,
such as a tenant's month-start renewals), enough to keep this machine's cores busy. At 16 clients
the group commit is bound by the wait for each batch's commit, not by CPU, so that run is printed
beside it for its latency, not as the capacity. Both baselines are measured twice, before and
after what they are compared with, and averaged: this VM's speed drifts within a run.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from redis.asyncio import Redis

from core.migrate import upgrade
from tests.benchmarks.harness import ROOT, checkpoint, execute, pgbench, start_server
from tests.benchmarks.ledger_spend import ADMIN_DSN, line
from tests.benchmarks.webhook_load import MARK

PLUGINS = ROOT / "build" / "test-plugins"
REDIS_URL = os.environ.get("TOLLGATE_BENCH_REDIS", "redis://127.0.0.1:6379/0")
SECONDS = float(os.environ.get("TOLLGATE_BENCH_SECONDS", "10"))
CLIENTS = int(os.environ.get("TOLLGATE_BENCH_CLIENTS", "64"))
FEW_CLIENTS = 16
WORKERS = int(os.environ.get("TOLLGATE_BENCH_WORKERS", "2"))
NOOP_TASKS = 20_000
SECRET = "whsec_bench_webhooks"
RESULTS = ROOT / "build" / "bench" / "webhooks.json"


def settings_file(directory: Path, db_url: str, queue: str) -> Path:
    settings = {
        "database": {"url": db_url, "pool_size": CLIENTS // WORKERS + 4, "max_overflow": 10},
        "jobs": {"broker": "redis", "redis_url": REDIS_URL, "queue_name": queue, "consumer_group": queue},
        "secrets": {"backend": "settings"},
        "tenants": {"bench": {"name": "Bench", "plugins": ["recorder"]}},
        "tenant_secrets": {"bench": {"stripe_secret_key": "sk_test_bench", "stripe_webhook_secrets": [SECRET]}},
    }
    path = directory / "bench.json"
    path.write_text(json.dumps({"default": settings}))
    return path


def event_template(directory: Path) -> Path:
    """An `invoice.paid` in today's shape (Stripe's own example invoice), its id left to the load generator."""
    from tests.inbox.stripe_events import encode, invoice_paid

    body = encode(invoice_paid(1_000, event_id=MARK.decode()))
    path = directory / "invoice_paid.json"
    path.write_bytes(body)
    return path


def load(url: str, template: Path, clients: int, seconds: float, rate: float | None = None) -> dict[str, Any]:
    args = [
        sys.executable, "-m", "tests.benchmarks.webhook_load", "--url", f"{url}/t/bench/webhooks/stripe",
        "--template", str(template), "--secret", SECRET, "--clients", str(clients), "--seconds", str(seconds),
    ]  # fmt: skip
    if rate:
        args += ["--rate", str(rate)]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def start_worker(target: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(Path(sys.executable).parent / "taskiq"), "worker", target, "--workers", "1", "--log-level", "WARNING"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


async def drain_rate(done: Callable[[], Awaitable[int]], total: int, seconds: float) -> float:
    """Items per second while a worker drains a backlog: from a tenth of it (at most 2,000 items, past
    the worker's start-up) for `seconds`, or until 90% of it is done."""
    low, high = min(total * 0.1, 2_000), total * 0.9
    start: tuple[float, int] | None = None
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        now, count = time.monotonic(), await done()
        if start is None and count >= low:
            start = (now, count)
        if start is not None and (count >= high or now - start[0] >= seconds):
            return (count - start[1]) / (now - start[0])
        await asyncio.sleep(0.05)
    raise RuntimeError(f"the worker did not drain the backlog ({await done()} of {total} done)")


async def noop_rate(work: Path) -> float:
    """taskiq's own ceiling on this Redis: no-op tasks per second through one worker."""
    from taskiq_redis import RedisStreamBroker

    queue = f"tollgate_bench_noop_{uuid.uuid4().hex[:8]}"
    broker = RedisStreamBroker(url=REDIS_URL, queue_name=queue, consumer_group_name=queue)

    async def noop() -> None:
        return None

    task = broker.register_task(noop, task_name="bench.noop")
    await broker.startup()
    for _ in range(NOOP_TASKS):
        await task.kiq()
    await broker.shutdown()
    env = {**os.environ, "TOLLGATE_BENCH_REDIS": REDIS_URL, "TOLLGATE_BENCH_NOOP_QUEUE": queue}
    worker = start_worker("tests.benchmarks.noop_tasks:broker", env, work / "noop-worker.log")
    redis = Redis.from_url(REDIS_URL)

    async def done() -> int:
        (group,) = await redis.xinfo_groups(queue)
        return int(group["entries-read"] or 0) - int(group["pending"])

    try:
        return await drain_rate(done, NOOP_TASKS, SECONDS)
    finally:
        worker.terminate()
        worker.wait(30)
        await redis.delete(queue)
        await redis.aclose()


async def processing_rate(dsn: str, env: dict[str, str], work: Path) -> float:
    """Accepted events processed end to end per second by one worker (claim, handler, settle)."""
    conn = await asyncpg.connect(dsn)
    backlog = int(await conn.fetchval("SELECT count(*) FROM webhook_events"))
    worker = start_worker("core.worker:broker", env, work / "inbox-worker.log")

    async def done() -> int:
        return int(await conn.fetchval("SELECT count(*) FROM webhook_events WHERE status = 'processed'"))

    try:
        return await drain_rate(done, backlog, SECONDS)
    finally:
        worker.terminate()
        worker.wait(30)
        await conn.close()


async def create_recorder_tables(db_url: str) -> None:
    from sqlalchemy.ext.asyncio import create_async_engine

    sys.path.insert(0, str(PLUGINS))
    import tollgate_inbox_recorder

    engine = create_async_engine(db_url)
    async with engine.begin() as conn:
        await conn.run_sync(tollgate_inbox_recorder.metadata.create_all)
    await engine.dispose()


async def main() -> None:
    if not (PLUGINS / "tollgate_inbox_recorder").exists():
        sys.exit("the recorder test plugin is missing: run `make build/test-plugins/.installed`")
    name = f"tollgate_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    db_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    queue = f"tollgate_bench_inbox_{uuid.uuid4().hex[:8]}"
    work = Path(tempfile.mkdtemp(prefix="tollgate-bench-webhooks-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"database {name}; {CLIENTS} clients, {SECONDS:.0f} s per run, {WORKERS} uvicorn workers,", end=" ")
        print(f"{os.cpu_count()} CPUs")
        await asyncio.to_thread(upgrade, db_url)
        template = event_template(work)
        await create_recorder_tables(db_url)
        conn = await asyncpg.connect(dsn)
        await conn.execute(
            # Scratch tables: no autovacuum of them may run during a later measurement.
            "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, v integer) WITH (autovacuum_enabled = false);"
            "CREATE TABLE bench_inbox (id bigserial PRIMARY KEY, tenant_id text, event_id text, payload text,"
            " UNIQUE (tenant_id, event_id)) WITH (autovacuum_enabled = false);"
        )
        await conn.close()
        bare = work / "insert.sql"
        bare.write_text("INSERT INTO bench_insert (v) VALUES (1);\n")
        sized = work / "insert_inbox.sql"
        sized.write_text(
            "INSERT INTO bench_inbox (tenant_id, event_id, payload) VALUES "
            f"('bench', md5(random()::text || clock_timestamp()::text), repeat('x', {template.stat().st_size}));\n"
        )
        duration = str(int(SECONDS))

        async def insert_rate_now() -> float:
            await checkpoint(dsn)
            return pgbench(dsn, "-n", "-f", str(bare), "-c", str(CLIENTS), "-j", "2", "-T", duration)

        inserts = [await insert_rate_now()]
        await checkpoint(dsn)
        inbox_insert_rate = pgbench(dsn, "-n", "-f", str(sized), "-c", str(CLIENTS), "-j", "2", "-T", duration)
        await execute(dsn, "DROP TABLE bench_inbox")  # its ~300 MB would crowd the buffers of what follows
        noop = await noop_rate(work)

        env = {
            **os.environ,
            "TOLLGATE_SETTINGS": str(settings_file(work, db_url, queue)),
            "TOLLGATE_ENV": "bench",
            "PYTHONPATH": os.pathsep.join([str(PLUGINS), str(ROOT)]),
        }
        server, url = start_server(env, WORKERS)
        load(url, template, 4, 2)  # warm both workers' pools and caches
        await checkpoint(dsn)
        peak = load(url, template, CLIENTS, SECONDS)
        # The baseline again right after: this VM's speed drifts, and the ratio should not ride on it.
        inserts.append(await insert_rate_now())
        insert_rate = sum(inserts) / len(inserts)
        await checkpoint(dsn)
        half = load(url, template, CLIENTS, SECONDS, rate=peak["rate"] / 2)
        await checkpoint(dsn)
        few = load(url, template, FEW_CLIENTS, SECONDS)
        server.terminate()
        server.wait(30)
        server = None
        acceptance = peak["rate"] / insert_rate
        # Printed before the drain, which takes a while: the ingest figures stand on their own.
        print("\nbaselines (same database, same Redis)")
        print(f"  {f'pgbench one-row INSERT, {CLIENTS} clients':<44} {insert_rate:8.0f}/s", end="")
        print(f"   ({inserts[0]:.0f} before, {inserts[1]:.0f} after)")
        print(f"  {f'pgbench inbox-sized INSERT, {CLIENTS} clients':<44} {inbox_insert_rate:8.0f}/s")
        print(f"  {'taskiq no-op tasks, one worker (before)':<44} {noop:8.0f}/s")
        print("\nStripe events (invoice.paid, signed)")
        print(line(f"accepted, {CLIENTS} clients closed loop", peak))
        print(line(f"accepted, open loop at half ({peak['rate'] / 2:.0f}/s)", half))
        print(line(f"accepted, {FEW_CLIENTS} clients closed loop", few), flush=True)
        await checkpoint(dsn)
        processed = await processing_rate(dsn, env, work)
        noops = [noop, await noop_rate(work)]
        noop = sum(noops) / len(noops)
        print(f"  {'processed end to end, one worker':<44} {processed:8.0f}/s")
        print(f"  {'taskiq no-op tasks, one worker (mean)':<44} {noop:8.0f}/s", end="")
        print(f"   ({noops[0]:.0f} before, {noops[1]:.0f} after)")

        figures = {
            "clients": CLIENTS,
            "seconds": SECONDS,
            "cpus": os.cpu_count(),
            "pgbench_insert_per_s": insert_rate,
            "pgbench_insert_runs_per_s": inserts,
            "taskiq_noop_runs_per_s": noops,
            "pgbench_inbox_sized_insert_per_s": inbox_insert_rate,
            "taskiq_noop_per_s": noop,
            "accepted_per_s": peak["rate"],
            "accepted_p50_ms": peak["p50_ms"],
            "accepted_p99_ms": peak["p99_ms"],
            "half_rate_p99_ms": half["p99_ms"],
            "few_clients": FEW_CLIENTS,
            "few_clients_accepted_per_s": few["rate"],
            "few_clients_p99_ms": few["p99_ms"],
            "processed_per_s": processed,
            "acceptance_ratio": acceptance,
            "processing_ratio": processed / noop,
        }
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(figures, indent=2))

        print("\nratios (targets in brackets)")
        print(f"  accepted / one-row INSERT          {acceptance:5.2f}   [>= 0.30]")
        print(f"  accepted / inbox-sized INSERT      {peak['rate'] / inbox_insert_rate:5.2f}")
        print(f"  ack p99 at peak                    {peak['p99_ms']:5.1f} ms [<= 50 ms]")
        print(f"  ack p99 at half peak               {half['p99_ms']:5.1f} ms [<= 15 ms]")
        print(f"  processed / taskiq no-op           {figures['processing_ratio']:5.2f}   [>= 0.25]")
        print(f"\nfigures written to {RESULTS.relative_to(ROOT)}")
    finally:
        if server is not None:
            server.kill()
        redis = Redis.from_url(REDIS_URL)
        await redis.delete(queue)
        await redis.aclose()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
