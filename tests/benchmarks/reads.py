"""`make bench`: balance, entitlements and ledger reads through the HTTP API, against baselines in the same run.

In one scratch database: pgbench's built-in select-only run (`-S`, 64 clients), then Tollgate under
uvicorn (2 workers, uvloop, httptools) answering, one client at a time, the authenticated no-op route
(`GET /t/{tenant}/v1/`: the tenant guard and the API key, no database), `GET /balance`,
`GET /entitlements` (free-tier customers, and subscribers in good standing whose synced price adds
feature flags) and `GET /ledger`; then 64 clients reading balances over 1,000 customers. After
that, 2,000,000 entries are written to one customer's ledger (SQL, `generate_series`) and its first
page and a page a million entries deep are read again: a list page should cost the same on an empty
ledger and a deep one. Prints p50/p99, rates and ratios beside their targets; asserts nothing about time.

`python -m tests.benchmarks.reads --load URL TOKEN CLIENTS SECONDS PATH [PATH ...]` is the load
generator the run starts in a process of its own (GET of a random path of the list, keep-alive).
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
from pathlib import Path
from typing import Any

import asyncpg

from core.cursors import encode_cursor
from core.migrate import upgrade
from tests.benchmarks import ledger_spend
from tests.benchmarks.harness import ROOT, execute, pgbench, pgbench_binary, start_server
from tests.benchmarks.http_load import RequestFactory, drive
from tests.benchmarks.ledger_spend import ADMIN_DSN, TOKEN, line

SECONDS = float(os.environ.get("TOLLGATE_BENCH_SECONDS", "10"))
CLIENTS = 64
CUSTOMERS = 1000
DEEP_ENTRIES = int(os.environ.get("TOLLGATE_BENCH_LEDGER_ENTRIES", "2000000"))
WORKERS = int(os.environ.get("TOLLGATE_BENCH_WORKERS", "2"))
BASE = "/t/bench/v1"


# The spend bench's settings (an API key, no rate limits, a pool per worker), with the subscriptions plugin
# on (a free tier and a paid one), so `GET /entitlements` has a plugin's answer to merge, and the
# product_sync catalog, whose synced price adds feature flags to the paid tier.
ENTITLEMENTS = """plugins = ["subscriptions", "product_sync"]
[default.tenants.bench.product_sync]
schedule = false
[default.tenants.bench.subscriptions]
default_tier = "free"
[[default.tenants.bench.subscriptions.tiers]]
id = "free"
name = "Free"
credits_per_month = 10
models = ["flux-schnell"]
features = { watermark = true, priority_queue = false }
[[default.tenants.bench.subscriptions.tiers]]
id = "pro"
name = "Pro"
credits_per_month = 500
models = ["flux-schnell", "flux-dev"]
features = { watermark = false, priority_queue = true }"""


def settings_file(db_url: str, directory: Path) -> Path:
    path = ledger_spend.settings_file(db_url, directory)
    text = path.read_text()
    assert "plugins = []" in text, "the spend bench's settings changed shape"
    path.write_text(text.replace("plugins = []", ENTITLEMENTS, 1))
    return path


# Each customer: an account with three live grants (one without expiry, two expiring in a year and in
# two), their grant entries, and nothing lapsed: what most balance reads find.
SEED = [
    f"""INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('c' || i)::uuid, 'c' || i, '{{}}', 'bench', now(), now() FROM generate_series(0, {CUSTOMERS}) i""",
    f"""INSERT INTO credit_accounts (id, customer_id, customer, balance, held, debt, last_seq, unlimited, due_at,
    tenant_id, created_at, updated_at)
    SELECT md5('a' || i)::uuid, md5('c' || i)::uuid, 'c' || i, 3000000, 0, 0, 3, false, now() + interval '1 year',
    'bench', now(), now() FROM generate_series(0, {CUSTOMERS}) i""",
    f"""INSERT INTO credit_grants (id, account_id, amount, remaining, reserved, consumed, expired, clawed_back,
    priority, expires_at, source, source_ref, metadata, tenant_id, created_at, updated_at)
    SELECT md5('g' || i || '-' || g)::uuid, md5('a' || i)::uuid, 1000000, 1000000, 0, 0, 0, 0, 50,
    CASE g WHEN 0 THEN NULL ELSE now() + make_interval(years => g) END, 'admin', 'g' || i || '-' || g, '{{}}',
    'bench', now(), now() FROM generate_series(0, {CUSTOMERS}) i, generate_series(0, 2) g""",
    f"""INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, reference, metadata, tenant_id,
    created_at, updated_at)
    SELECT md5('e' || i || '-' || g)::uuid, md5('a' || i)::uuid, g + 1, 'grant', 1000000, 1000000 * (g + 1),
    md5('g' || i || '-' || g)::uuid::text, '{{}}', 'bench', now(), now()
    FROM generate_series(0, {CUSTOMERS}) i, generate_series(0, 2) g""",
]
FULL_PAGE = 60
# Subscribers in good standing: customers s1..s1000 on the Pro tier, its price synced from Stripe with
# `plan_tier` and `feature_flags` metadata (their entitlements join the catalog's row).
SUBSCRIBERS = [
    f"""INSERT INTO customers (id, external_id, metadata, tenant_id, created_at, updated_at)
    SELECT md5('s' || i)::uuid, 's' || i, '{{}}', 'bench', now(), now() FROM generate_series(1, {CUSTOMERS}) i""",
    f"""INSERT INTO subscriptions (id, customer_id, customer, stripe_subscription_id, stripe_customer_id, item_id,
    price_id, tier, interval, currency, status, current_period_start, current_period_end, cancel_at_period_end,
    tenant_id, created_at, updated_at)
    SELECT md5('sub' || i)::uuid, md5('s' || i)::uuid, 's' || i, 'sub_bench_' || i, 'cus_bench_' || i, 'si_' || i,
    'price_bench_pro', 'pro', 'month', 'usd', 'active', now() - interval '3 days', now() + interval '27 days',
    false, 'bench', now(), now() FROM generate_series(1, {CUSTOMERS}) i""",
    """INSERT INTO product_sync_products (id, stripe_product_id, name, active, deleted, metadata, stripe_created,
    stripe_updated, observed_at, tenant_id, created_at, updated_at)
    VALUES (md5('prod')::uuid, 'prod_bench_pro', 'Pro', true, false, '{"plan_tier": "pro"}', 0, 0, now(), 'bench',
    now(), now())""",
    """INSERT INTO product_sync_prices (id, stripe_price_id, stripe_product_id, active, deleted, currency, unit_amount,
    type, recurring_interval, recurring_interval_count, metadata, stripe_created, observed_at, tenant_id, created_at,
    updated_at)
    VALUES (md5('price')::uuid, 'price_bench_pro', 'prod_bench_pro', true, false, 'usd', 2900, 'recurring', 'month',
    1, '{"feature_flags": "hd_export,api_access"}', 0, now(), 'bench', now(), now())""",
]


def grow(entries: int, already: int) -> list[str]:
    """c0's ledger grows by `entries` one-credit spends after `already` of them (its balance and grants follow)."""
    total = already + entries
    return [
        f"""INSERT INTO ledger_entries (id, account_id, seq, kind, amount, balance_after, requested, metadata,
        tenant_id, created_at, updated_at)
        SELECT gen_random_uuid(), md5('a0')::uuid, 3 + s, 'spend', -1, 3000000 - s, 1, '{{}}', 'bench', now(), now()
        FROM generate_series({already + 1}, {total}) s""",
        f"""UPDATE credit_accounts SET balance = 3000000 - {total}, last_seq = 3 + {total}
        WHERE id = md5('a0')::uuid""",
        f"""UPDATE credit_grants SET remaining = 1000000 - {total} / 2, consumed = {total} / 2
        WHERE account_id = md5('a0')::uuid AND expires_at IS NOT NULL""",
        "VACUUM ANALYZE ledger_entries",
        # The bulk insert's dirty pages written out now, not by a checkpoint in the middle of the reads.
        "CHECKPOINT",
    ]


def gets(url: str, token: str, paths: list[str], clients: int) -> RequestFactory:
    """`GET <path>` with the API key, the clients taking the paths in turn (so a run reads each one)."""
    host = url.split("//", 1)[1]

    def make(client: int, n: int) -> bytes:
        path = paths[(client + (n - 1) * clients) % len(paths)]
        return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\n\r\n".encode()

    return make


def load(url: str, paths: list[str], clients: int = 1, seconds: float = SECONDS) -> dict[str, Any]:
    args = [sys.executable, "-m", "tests.benchmarks.reads", "--load", url, TOKEN, str(clients), str(seconds), *paths]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def ratio(label: str, value: float, target: str) -> str:
    return f"  {label:<52} {value:5.2f}   [{target}]"


async def main() -> None:  # noqa: PLR0915 - one run, read top to bottom
    name = f"tollgate_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_DSN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = ADMIN_DSN.rsplit("/", 1)[0] + f"/{name}"
    db_url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
    work = Path(tempfile.mkdtemp(prefix="tollgate-bench-reads-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        print(f"database {name}: {SECONDS:.0f} s a run, {WORKERS} uvicorn workers, {os.cpu_count()} cores")
        await asyncio.to_thread(upgrade, db_url)
        subprocess.run([pgbench_binary(), "-i", "-q", "-s", "1", dsn], check=True, capture_output=True)
        await execute(dsn, *SEED, *SUBSCRIBERS, "VACUUM ANALYZE")
        select_only = pgbench(dsn, "-S", "-c", str(CLIENTS), "-j", "2", "-T", str(int(SECONDS)))

        env = {**os.environ, "TOLLGATE_SETTINGS": str(settings_file(db_url, work)), "TOLLGATE_ENV": "production"}
        server, url = start_server(env, WORKERS)
        customers = [f"c{i}" for i in range(1, CUSTOMERS + 1)]
        balances = [f"{BASE}/customers/{c}/balance" for c in customers]
        noop = [f"{BASE}/"]
        entitlements = [f"{BASE}/customers/{c}/entitlements" for c in customers]
        subscribed = [f"{BASE}/customers/s{i}/entitlements" for i in range(1, CUSTOMERS + 1)]
        first_page = [f"{BASE}/customers/c0/ledger"]
        # Warm both workers' pools and caches; every customer's first entitlements read of the month grants
        # the free tier's allowance (a write, once a month): done here, so the runs read the steady state.
        load(url, entitlements, 8, 10)
        # Those 1,000 allowance rows came after the seed's ANALYZE: with the table's statistics still
        # those of an empty one, the planner takes the wrong index for the allowance check (0.24 ms of a
        # 0.3 ms statement). Autovacuum analyzes a table that grew so much within a minute; the runs
        # below measure that steady state, not the minute before it.
        await execute(dsn, "ANALYZE subscription_allowances")
        load(url, balances + noop + first_page + subscribed, 4, 3)
        one: dict[str, dict[str, Any]] = {}
        for label, paths in (
            ("authenticated no-op (GET /)", noop),
            ("GET /balance", balances),
            ("GET /entitlements", entitlements),
            ("GET /entitlements, subscribers in good standing", subscribed),
            ("GET /ledger, first page (3 entries)", first_page),
        ):
            one[label] = load(url, paths)
        many = load(url, balances, CLIENTS)
        many_noop = load(url, noop, CLIENTS)
        noop_again = load(url, noop)

        # A full first page (50 of 63 entries): what the deep pages compare with, page for page.
        await execute(dsn, *grow(FULL_PAGE, 0))
        full = load(url, first_page)
        await execute(dsn, *grow(DEEP_ENTRIES - FULL_PAGE, FULL_PAGE))
        deep_cursor = encode_cursor("ledger", DEEP_ENTRIES // 2)
        deep = {
            "GET /ledger, first page (2M entries)": load(url, first_page),
            "GET /ledger, a page 1M entries deep": load(url, [f"{first_page[0]}?cursor={deep_cursor}"]),
            "authenticated no-op, after": load(url, noop),
        }
        server.terminate()
        server.wait(30)
        server = None

        base = (one["authenticated no-op (GET /)"]["p50_ms"] + noop_again["p50_ms"]) / 2
        print("\nbaselines (same database)")
        print(f"  {'pgbench select-only (-S), 64 clients':<44} {select_only:8.0f}/s")
        print(line("authenticated no-op (GET /), after", noop_again))
        print("\none client, one request after another")
        for label, result in one.items():
            print(line(label, result))
        print(line(f"GET /ledger, first page ({3 + FULL_PAGE} entries)", full))
        print("\n64 clients")
        print(line("GET /balance over 1,000 customers", many))
        print(line("authenticated no-op (GET /)", many_noop))
        print(f"\nafter {DEEP_ENTRIES:,} entries on one customer")
        for label, result in deep.items():
            print(line(label, result))
        empty = one["GET /ledger, first page (3 entries)"]["p50_ms"]
        paged = full["p50_ms"]
        print(f"\nratios (no-op p50 {base:.2f} ms, the mean of its runs before and after; targets in brackets)")
        print(ratio("GET /balance p50 / no-op p50", one["GET /balance"]["p50_ms"] / base, "<= 2.0"))
        print(ratio("GET /entitlements p50 / no-op p50", one["GET /entitlements"]["p50_ms"] / base, "<= 2.0"))
        subscribers = one["GET /entitlements, subscribers in good standing"]["p50_ms"]
        print(ratio("GET /entitlements, subscribers, p50 / no-op p50", subscribers / base, "<= 2.0"))
        print(ratio("GET /ledger first page p50 / no-op p50", empty / base, "<= 3.0"))
        for label, result in deep.items():
            if "ledger" in label:
                print(
                    ratio(f"{label.removeprefix('GET /ledger, ')} p50 / no-op p50", result["p50_ms"] / base, "<= 3.0")
                )
                print(
                    ratio(f"{label.removeprefix('GET /ledger, ')} p50 / 63-entry p50", result["p50_ms"] / paged, "~ 1")
                )
        print(ratio("64 clients GET /balance / pgbench -S", many["rate"] / select_only, ">= 0.30"))
        # The ceiling: the same load generator against the authenticated no-op route, which reads nothing.
        print(ratio("64 clients no-op / pgbench -S (what the HTTP layer allows)", many_noop["rate"] / select_only, ""))
        print(ratio("64 clients GET /balance / no-op", many["rate"] / many_noop["rate"], ""))
    finally:
        if server is not None:
            server.kill()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        shutil.rmtree(work, ignore_errors=True)


def run_load(argv: list[str]) -> None:
    url, token, clients, seconds, *paths = argv
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    started = time.perf_counter()
    result = asyncio.run(drive(url, int(clients), float(seconds), None, gets(url, token, paths, int(clients))))
    result["elapsed_s"] = time.perf_counter() - started
    print(json.dumps(result))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        run_load(sys.argv[2:])
    else:
        asyncio.run(main())
