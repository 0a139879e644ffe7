"""`make bench`: credit expiry at scale, and spends of other customers while it runs.

In one scratch database: 20,000 customers with 10 lapsed grants each (200,000 grants; each also has
credits that never expire) and 1,000 customers with nothing to expire. Then, one after another:

- the baseline: the same expiry done set-based in SQL in one statement (grants, entries,
  allocations, accounts; rolled back and vacuumed after);
- `tollgate credits expire bench` (the CLI, its own process) alone, the longest transaction open
  in the database sampled from `pg_stat_activity` meanwhile;
- 200,000 lapsed grants again; idle: open-loop spends on the non-expiring customers through the
  HTTP API (uvicorn, 2 workers); the job again with the same spends running, and spends on the
  expiring customers beside them;
- the same spends while a transaction on another connection holds one non-expiring account's row.

Each run of spends starts from a checkpoint, as in the webhook bench: none pays for the WAL of the
run before it.

Prints the job's rate against the baseline's, its longest transaction, the spends' p99 and maximum
against idle, and the ledger verifier's report (exit 1 when broken). Asserts nothing about time.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg

from core.migrate import upgrade
from tests.benchmarks.harness import ROOT, checkpoint, start_server
from tests.benchmarks.ledger_spend import ADMIN_DSN, WORKERS, line, load, print_verification, settings_file
from tests.support.ledger import verify_database

EXPIRING = int(os.environ.get("TOLLGATE_BENCH_EXPIRING", "20000"))
GRANTS_EACH = 10
FREE = 1000
SECONDS = float(os.environ.get("TOLLGATE_BENCH_SECONDS", "10"))
SPEND_CLIENTS = 16
SPEND_RATE = 200.0
EXPIRING_RATE = 40.0

# Customers `<prefix><n>`, each with an account, `lapsed` grants of 10 credits lapsed an hour ago, one
# grant of `keep` credits that never expires, and the grant entries (the values are the benchmark's own).
SEED = [
    """INSERT INTO customers (id, tenant_id, external_id, metadata, created_at, updated_at)
       SELECT tollgate_uuid7(), 'bench', '{prefix}' || n, '{{}}',
              '{now}'::timestamptz - interval '2 days', '{now}'::timestamptz - interval '2 days'
         FROM generate_series(0, {count} - 1) AS n""",
    """INSERT INTO credit_accounts (id, tenant_id, customer_id, customer, balance, held, debt, last_seq, unlimited,
                                    due_at, created_at, updated_at)
       SELECT tollgate_uuid7(), 'bench', c.id, c.external_id, {lapsed} * 10 + {keep}, 0, 0, {lapsed} + 1, false,
              CASE WHEN {lapsed} > 0 THEN '{now}'::timestamptz - interval '1 hour' END, c.created_at, c.created_at
         FROM customers c WHERE c.tenant_id = 'bench' AND c.external_id LIKE '{prefix}' || '%'""",
    """INSERT INTO credit_grants (id, tenant_id, account_id, amount, remaining, reserved, consumed, expired,
                                  clawed_back, priority, expires_at, source, source_ref, metadata, created_at,
                                  updated_at)
       SELECT tollgate_uuid7(), 'bench', a.id, CASE WHEN k = 0 THEN {keep} ELSE 10 END,
              CASE WHEN k = 0 THEN {keep} ELSE 10 END, 0, 0, 0, 0, 50,
              CASE WHEN k > 0 THEN '{now}'::timestamptz - interval '1 hour' + k * interval '1 second' END,
              'admin', 'bench:' || a.customer || ':' || k, '{{}}',
              a.created_at + k * interval '1 millisecond', a.created_at + k * interval '1 millisecond'
         FROM credit_accounts a, generate_series(0, {lapsed}) AS k
        WHERE a.tenant_id = 'bench' AND a.customer LIKE '{prefix}' || '%'""",
    """INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, reference, metadata,
                                   created_at, updated_at)
       SELECT tollgate_uuid7(), 'bench', g.account_id,
              row_number() OVER (PARTITION BY g.account_id ORDER BY g.created_at), 'grant', g.amount,
              sum(g.amount) OVER (PARTITION BY g.account_id ORDER BY g.created_at), g.id::text, '{{}}',
              g.created_at, g.created_at
         FROM credit_grants g JOIN credit_accounts a ON a.id = g.account_id
        WHERE g.tenant_id = 'bench' AND a.customer LIKE '{prefix}' || '%'""",
]

# The baseline: every due account's lapsed grants expired at once, set-based, as the job writes them.
BASELINE = """
WITH lapsed AS MATERIALIZED (
    SELECT tollgate_uuid7() AS entry_id, x.id AS grant_id, x.account_id, x.part,
           a.last_seq + x.n AS seq, a.balance - x.running AS balance_after
      FROM (SELECT g.id, g.account_id, g.remaining - g.reserved AS part,
                   row_number() OVER w AS n, sum(g.remaining - g.reserved) OVER w AS running
              FROM credit_grants g
             WHERE g.tenant_id = 'bench' AND g.remaining > g.reserved AND g.expires_at <= $1
            WINDOW w AS (PARTITION BY g.account_id
                         ORDER BY g.priority, g.expires_at ASC NULLS LAST, g.created_at, g.id)) AS x
      JOIN credit_accounts a ON a.id = x.account_id
), entries AS (
    INSERT INTO ledger_entries (id, tenant_id, account_id, seq, kind, amount, balance_after, reference, metadata,
                                created_at, updated_at)
    SELECT l.entry_id, 'bench', l.account_id, l.seq, 'expire', -l.part, l.balance_after, l.grant_id::text, '{}', $1, $1
      FROM lapsed l
), allocations AS (
    INSERT INTO credit_allocations (id, tenant_id, entry_id, grant_id, kind, amount, created_at, updated_at)
    SELECT tollgate_uuid7(), 'bench', l.entry_id, l.grant_id, 'expire', l.part, $1, $1 FROM lapsed l
), grants AS (
    UPDATE credit_grants g SET remaining = g.remaining - l.part, expired = g.expired + l.part, updated_at = $1
      FROM lapsed l WHERE g.id = l.grant_id
)
UPDATE credit_accounts a
   SET balance = a.balance - t.total, last_seq = a.last_seq + t.entries, due_at = NULL, updated_at = $1
  FROM (SELECT account_id, sum(part) AS total, count(*) AS entries FROM lapsed GROUP BY account_id) AS t
 WHERE a.id = t.account_id
"""


async def seed(dsn: str, *sets: tuple[str, int, int, int]) -> None:
    """Customers of each (prefix, count, lapsed grants each, credits kept) set."""
    connection = await asyncpg.connect(dsn)
    try:
        now = (await connection.fetchval("SELECT now()")).isoformat()
        for prefix, count, lapsed, keep in sets:
            for statement in SEED:
                await connection.execute(
                    statement.format(prefix=prefix, count=count, lapsed=lapsed, keep=keep, now=now)
                )
        await connection.execute("VACUUM ANALYZE")
        # The seed's dirty pages written out now, not by a checkpoint during the runs that follow.
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


async def baseline(dsn: str) -> float:
    """Seconds the set-based expiry of every lapsed grant takes in one transaction (rolled back)."""
    connection = await asyncpg.connect(dsn)
    try:
        transaction = connection.transaction()
        await transaction.start()
        start = time.perf_counter()
        await connection.execute(BASELINE, await connection.fetchval("SELECT now()"))
        elapsed = time.perf_counter() - start
        await transaction.rollback()
        await connection.execute("VACUUM ANALYZE")
        return elapsed
    finally:
        await connection.close()


class LongestTransaction:
    """Samples `pg_stat_activity` every few milliseconds: the longest transaction seen open in the database."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.longest = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> LongestTransaction:
        connection = await asyncpg.connect(self.dsn)
        query = (
            "SELECT coalesce(max(extract(epoch FROM clock_timestamp() - xact_start)), 0)::float8"
            " FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND xact_start IS NOT NULL AND state <> 'idle'"
        )

        async def sample() -> None:
            try:
                while True:
                    self.longest = max(self.longest, await connection.fetchval(query))
                    self.samples += 1
                    await asyncio.sleep(0.005)
            finally:
                await connection.close()

        self._task = asyncio.create_task(sample())
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)


async def expire_with_cli(env: dict[str, str], dsn: str, *beside: Any) -> tuple[float, float, str, list[Any]]:
    """`tollgate credits expire bench` with `beside` awaited meanwhile: its seconds, the longest
    transaction seen open in the database, its last line of output, and what `beside` answered."""
    command = [sys.executable, "-c", "from core.cli import main; main()", "credits", "expire", "bench"]
    job = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    started = time.perf_counter()
    async with LongestTransaction(dsn) as longest:
        answers = list(await asyncio.gather(*beside))
        output, _ = await asyncio.to_thread(job.communicate)
        seconds = time.perf_counter() - started
    if job.returncode:
        sys.exit(f"tollgate credits expire failed:\n{output}")
    lines = output.strip().splitlines()
    return seconds, longest.longest, lines[-1] if lines else "", answers


async def loads(url: str, free: list[str], expiring: list[str] | None) -> list[dict[str, Any]]:
    """Open-loop spends on the free customers (and on expiring ones, when given), side by side."""
    runs = [asyncio.to_thread(load, url, free, SPEND_CLIENTS, SPEND_RATE)]
    if expiring:
        runs.append(asyncio.to_thread(load, url, expiring, 4, EXPIRING_RATE))
    return list(await asyncio.gather(*runs))


def spread(result: dict[str, Any]) -> str:
    return f"p99.9 {result['p999_ms']:6.1f} ms   max {result['max_ms']:6.1f} ms"


async def main() -> None:
    name = f"tollgate_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    db_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    work = Path(tempfile.mkdtemp(prefix="tollgate-bench-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        grants = EXPIRING * GRANTS_EACH
        print(f"database {name}: {grants} lapsed grants over {EXPIRING} customers, {FREE} other customers")
        await asyncio.to_thread(upgrade, db_url)
        started = time.perf_counter()
        await seed(dsn, ("e", EXPIRING, GRANTS_EACH, 10**6), ("f", FREE, 0, 10**12))
        print(f"seeded in {time.perf_counter() - started:.0f} s")
        base = await baseline(dsn)
        env = {**os.environ, "TOLLGATE_SETTINGS": str(settings_file(db_url, work)), "TOLLGATE_ENV": "production"}
        alone, longest_alone, output, _ = await expire_with_cli(env, dsn)

        # As many lapsed grants again, for the run beside the spends.
        await seed(dsn, ("g", EXPIRING, GRANTS_EACH, 10**6))
        free = [f"f{i}" for i in range(1, FREE)]
        expiring = [f"g{i}" for i in range(0, EXPIRING, 7)]
        server, url = start_server(env, WORKERS)
        load(url, free[:50], 8, seconds=2)  # warm both workers' pools and caches
        await checkpoint(dsn)
        (idle,) = await loads(url, free, None)
        await checkpoint(dsn)
        job_seconds, longest, _, (during_loads,) = await expire_with_cli(env, dsn, loads(url, free, expiring))
        during, on_expiring = during_loads

        # The job's 200,000 grants of writes checkpointed first: the held row's effect, not the job's WAL.
        await checkpoint(dsn)
        held = await asyncpg.connect(dsn)
        await held.execute("BEGIN")
        await held.execute("SELECT 1 FROM credit_accounts WHERE customer = 'f0' FOR UPDATE")
        blocked = asyncio.create_task(asyncio.to_thread(load, url, ["f0"], 1, 1.0, 2.0))
        (locked,) = await loads(url, free, None)
        await held.execute("ROLLBACK")
        await held.close()
        held_spends = await blocked
        # Idle once more, the job done and nothing held: the idle reference is the better of the two runs (the
        # first follows the seeding of 200,000 grants, whose autovacuum may still be running).
        await checkpoint(dsn)
        (idle_after,) = await loads(url, free, None)
        server.terminate()
        server.wait(30)
        server = None
        verified = await verify_database(db_url)

        print(f"\nbaseline: set-based SQL, one transaction {base:6.1f} s   {grants / base:8.0f} grants/s")
        print(f"tollgate credits expire, alone           {alone:6.1f} s   {grants / alone:8.0f} grants/s   ({output})")
        print(f"  longest transaction seen open: {longest_alone * 1000:.0f} ms")
        print(f"tollgate credits expire, beside spends   {job_seconds:6.1f} s   {grants / job_seconds:8.0f} grants/s")
        print(f"  longest transaction seen open (any backend, the spends' too): {longest * 1000:.0f} ms")
        print(f"\nPOST /spend, {SPEND_CLIENTS} clients open loop at {SPEND_RATE:.0f}/s, non-expiring customers")
        print(line("idle, before the job", idle) + "   " + spread(idle))
        print(line("idle, after everything", idle_after) + "   " + spread(idle_after))
        print(line("while the job runs", during) + "   " + spread(during))
        print(line("while one account is held", locked) + "   " + spread(locked))
        print(line("on expiring customers, during the job", on_expiring) + "   " + spread(on_expiring))
        print(line("on the held account (waits for it)", held_spends))
        print("\nratios (targets in brackets)")
        print(f"  job alone / baseline                   {base / alone:5.2f}   [>= 0.50]")
        print(f"  job beside spends / baseline           {base / job_seconds:5.2f}")
        print(f"  longest transaction, job alone         {longest_alone * 1000:5.0f} ms [<= 200 ms]")
        idle_p99, idle_max = min(idle["p99_ms"], idle_after["p99_ms"]), min(idle["max_ms"], idle_after["max_ms"])
        print(f"  (idle reference: p99 {idle_p99:.1f} ms, max {idle_max:.1f} ms, the better of the two idle runs)")
        for label, result in (("job", during), ("held account", locked)):
            p99, peak = result["p99_ms"] / idle_p99, result["max_ms"] / idle_max
            print(f"  p99 / idle, {label:<26} {p99:5.2f}   [<= 1.50]")
            print(f"  max / idle, {label:<26} {peak:5.2f}   [<= 1.50]")
        refused = {k: v for k, v in on_expiring["statuses"].items() if k != "201"}
        print(f"  spends on expiring customers refused   {sum(refused.values()):5d}   [0] {refused or ''}")
        print_verification(verified)
        if not verified.clean:
            sys.exit(1)
    finally:
        if server is not None:
            server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
