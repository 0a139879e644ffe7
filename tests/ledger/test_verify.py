"""`tollgate ledger verify` (core/ledger/verify.py): a clean ledger passes; each invariant broken behind the
ledger's back is reported with the customer it belongs to, in batches smaller than the ledger, on both databases."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import delete, select, update

from core import clock
from core.cli import main
from core.customers.schemas import CustomerUpsert
from core.customers.services import CustomerService
from core.db import session_scope
from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, LedgerEntry
from core.ledger.services import Ledger
from core.ledger.sources import GrantSource, collect_sources, grant_sources
from core.ledger.verify import CHECKS, Report, verify_ledger
from core.runtime import Runtime

BOTH_DATABASES = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)

DAY = dt.timedelta(days=1)
ORDER = str(uuid.uuid4())


async def on(runtime: Runtime, tenant: str, op: Any) -> Any:
    async with session_scope(runtime.sessions) as session:
        return await op(Ledger(session, runtime.tenants.get(tenant)))


async def customers(runtime: Runtime, tenant: str, *names: str) -> None:
    async with session_scope(runtime.sessions) as session:
        for name in names:
            await CustomerService(session, runtime.tenants.get(tenant)).upsert(name, CustomerUpsert())


async def busy_ledger(runtime: Runtime) -> None:
    """Seven accounts on two tenants: grants of every source kind, spends, a refund, holds captured and open,
    expiry, a clawback into debt and its repayment, adjustments both ways, an unlimited account, an open hold."""
    await customers(runtime, "alpha", "a1", "a2", "a3", "a4")
    await customers(runtime, "beta", "b1", "b2", "b3")

    async def alpha(lg: Ledger) -> None:
        await lg.grant("a1", 100, source="admin", source_ref="welcome-a1", reason="welcome")
        spent = await lg.spend("a1", 30)
        await lg.refund("a1", spent.entry_id, 10)
        await lg.grant("a2", 50, source="payg", source_ref="pi_3Nabc123")
        hold = await lg.hold("a2", 20)
        await lg.capture("a2", hold.id, 15)
        await lg.hold("a2", 5)
        await lg.grant("a3", 40, source="subscriptions.free", source_ref="a3:2026-01", expires_at=clock.now() + DAY)
        await lg.grant("a3", 10, source="admin", source_ref="goodwill-a3")
        await lg.spend("a3", 5)
        await lg.grant("a4", 20, source="token_packages.order", source_ref=ORDER)
        await lg.spend("a4", 15)
        await lg.clawback(source="token_packages.order", source_ref=ORDER, policy="allow_negative")
        await lg.grant("a4", 5, source="admin", source_ref="repay-a4")

    async def beta(lg: Ledger) -> None:
        await lg.grant("b1", 30, source="stripe.invoice", source_ref="in_1Qxyz")
        await lg.spend("b1", 10)
        await lg.adjust("b2", 5, reason="support ticket 42")
        await lg.adjust("b2", -2, reason="double credit")
        await lg.set_unlimited("b3")
        await lg.spend("b3", 7)
        await lg.hold("b3", 3)

    await on(runtime, "alpha", alpha)
    await on(runtime, "beta", beta)
    clock.advance(2 * DAY)
    await on(runtime, "alpha", lambda lg: lg.settle_due(100))
    await on(runtime, "beta", lambda lg: lg.hold("b1", 4, ttl_seconds=3600))


async def verify(runtime: Runtime, **kw: Any) -> Report:
    return await verify_ledger(runtime.engine, sources=grant_sources(runtime.plugins), batch_size=2, **kw)


def violators(report: Report, check: str) -> set[str]:
    return {f"{v.tenant}/{v.customer}" for v in report.violations if v.check == check}


async def invoke(runtime: Runtime, *args: str) -> Result:
    # The CLI runs its own event loop, so it gets its own runtime and a thread.
    return await asyncio.to_thread(CliRunner().invoke, main, list(args), obj=runtime)


@BOTH_DATABASES
async def test_a_clean_ledger_passes_every_check(runtime: Runtime, make_runtime: Any) -> None:
    await busy_ledger(runtime)
    progress: list[tuple[int, int]] = []
    report = await verify(runtime, on_batch=lambda done, total: progress.append((done, total)))
    assert [v.line() for v in report.violations] == []
    assert report.counts == dict.fromkeys(CHECKS, 0)
    assert (report.accounts, report.grants) == (7, 8)
    assert progress == [(2, 7), (4, 7), (6, 7), (7, 7)]
    # The debt really happened, so the negative balance was allowed, not missed.
    async with runtime.engine.connect() as conn:
        debt = (await conn.execute(select(CreditAccount.debt).where(CreditAccount.customer == "a4"))).scalar_one()
    assert debt == 10

    result = await invoke(make_runtime(), "ledger", "verify", "--batch-size", "3")
    assert result.exit_code == 0, result.output
    assert "7 accounts" in result.output
    assert "every invariant holds" in result.output


@BOTH_DATABASES
async def test_each_broken_invariant_names_its_customer(runtime: Runtime, make_runtime: Any) -> None:
    await busy_ledger(runtime)
    a3 = select(CreditAccount.id).where(CreditAccount.customer == "a3").scalar_subquery()
    async with runtime.engine.begin() as conn:
        # a1: a grant deleted behind the ledger's back (its allocations first, for the foreign keys).
        gone = select(CreditGrant.id).where(CreditGrant.source_ref == "welcome-a1").scalar_subquery()
        await conn.execute(delete(CreditAllocation).where(CreditAllocation.grant_id == gone))
        await conn.execute(delete(CreditGrant).where(CreditGrant.source_ref == "welcome-a1"))
        # a2: a changed balance.
        await conn.execute(update(CreditAccount).where(CreditAccount.customer == "a2").values(balance=999))
        # a3: a gap in its entries' seq; and its spend allocated to a grant that had expired by then.
        last = select(CreditAccount.last_seq).where(CreditAccount.customer == "a3").scalar_subquery()
        await conn.execute(
            update(LedgerEntry).where(LedgerEntry.account_id == a3, LedgerEntry.seq == last).values(seq=last + 1)
        )
        await conn.execute(
            update(CreditGrant).where(CreditGrant.source_ref == "a3:2026-01").values(expires_at=clock.now() - 3 * DAY)
        )
        # b1: a negative balance without debt; b2: an unknown source; a4: a Stripe source with no Stripe id.
        await conn.execute(update(CreditAccount).where(CreditAccount.customer == "b1").values(balance=-5))
        await conn.execute(update(CreditGrant).where(CreditGrant.source == "adjustment").values(source="mystery"))
        await conn.execute(
            update(CreditGrant).where(CreditGrant.source == "token_packages.order").values(source_ref="not-an-order")
        )

    report = await verify(runtime)
    assert violators(report, "balance_parts") == {"alpha/a1", "alpha/a2", "beta/b1"}
    assert violators(report, "grant_entry") == {"alpha/a1"}
    assert violators(report, "entries_sum") == {"alpha/a2", "beta/b1"}
    assert violators(report, "seq") == {"alpha/a3"}
    assert violators(report, "expired_grant_spent") == {"alpha/a3"}
    assert violators(report, "negative_balance") == {"beta/b1"}
    assert violators(report, "grant_source") == {"alpha/a4", "beta/b2"}
    assert report.counts["grant_counters"] == report.counts["allocations"] == report.counts["held"] == 0
    sums = next(v for v in report.violations if v.check == "entries_sum" and v.customer == "a2")
    assert sums.figures == {"balance": 999, "entries": 35}
    spent = next(v for v in report.violations if v.check == "expired_grant_spent")
    assert spent.figures["amount"] == 5
    assert "expired at" in spent.detail
    unknown = next(v for v in report.violations if v.check == "grant_source" and v.customer == "b2")
    assert "'mystery'" in unknown.detail

    # The tenants filter: beta alone.
    beta = await verify(runtime, tenants=["beta"])
    assert beta.accounts == 3
    assert {v.tenant for v in beta.violations} == {"beta"}
    assert violators(beta, "grant_source") == {"beta/b2"}

    result = await invoke(make_runtime(), "ledger", "verify", "beta", "--batch-size", "2")
    assert result.exit_code == 1, result.output
    assert "negative_balance: beta/b1" in result.output
    assert "alpha/" not in result.output
    result = await invoke(make_runtime(), "ledger", "verify", "--json")
    assert result.exit_code == 1
    answer = json.loads(result.output)
    assert answer["counts"]["seq"] == 1
    assert {(v["check"], v["customer"]) for v in answer["violations"]} >= {("seq", "a3"), ("grant_entry", "a1")}


@BOTH_DATABASES
async def test_an_unknown_tenant_is_a_usage_error(runtime: Runtime, make_runtime: Any) -> None:
    result = await invoke(make_runtime(), "ledger", "verify", "alpha", "nowhere")
    assert result.exit_code == 2
    assert "no tenant nowhere" in result.output
    assert "Traceback" not in result.output


def test_sources_are_declared_once_and_well() -> None:
    payg = GrantSource("stripe", "a PaymentIntent", r"pi_\w+")
    assert collect_sources([("a", {"payg": payg}), ("b", {"payg": payg})]) == {"payg": payg}
    with pytest.raises(ValueError, match="declared twice"):
        collect_sources([("a", {"payg": payg}), ("b", {"payg": GrantSource("plan", "a plan")})])
    with pytest.raises(ValueError, match="ref_pattern"):
        GrantSource("stripe", "a payment without a pattern")


async def test_the_benchmark_verifies_its_database(
    runtime: Runtime, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.benchmarks.ledger_spend import print_verification
    from tests.support.ledger import verify_database

    await busy_ledger(runtime)
    report = await verify_database(db_url)
    assert report.clean and report.accounts == 7
    print_verification(report)
    assert "ledger verify: 7 accounts, 8 grants" in capsys.readouterr().out
