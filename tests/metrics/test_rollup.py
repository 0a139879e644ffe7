"""The metrics rollup (docs/metrics.md, "Speed"): what `GET /admin/metrics` answers from rolled-up days is what
it answers with every day read live, on the scripted February and March of test_metrics.py; a day changed
after it was rolled up (an event replayed, a subscription change recorded late) answers its new figures; the
daily task and the lazy fill are safe twice and side by side; one tenant's rollup never counts in another's.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from core import clock
from core.analytics import rollup
from core.analytics.models import MetricsRollup, MetricsRollupChange, MetricsRollupState
from core.analytics.rollup import split
from core.analytics.tasks import roll_up_tenant
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.ledger.services import Ledger
from core.runtime import Runtime
from plugins.subscriptions.lifecycle import Lifecycle
from tests.metrics.conftest import at, move_clock, stripe_subscription
from tests.metrics.test_metrics import MARCH, history, metrics
from tests.support.tenants import auth

BOTH = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)

QUERIES = (
    MARCH,
    # Cut edges: a window starting and ending inside a day, by weeks and by days.
    "since=2026-02-03T05:00:00Z&until=2026-03-20T13:30:00Z&interval=week",
    "since=2026-03-01T00:00:00Z&until=2026-03-31T00:00:00Z&interval=day&currency=usd",
    "since=2026-03-10T00:00:00Z&until=2026-04-10T00:00:00Z&interval=day",
)
# After the scripted history: every scripted day is closed.
LATER = at("2026-04-10")


async def live(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, query: str) -> dict[str, Any]:
    """The metrics with no day read from the rollup (every family's fill reports nothing built)."""

    async def nothing_rolled_up(*_: Any, **__: Any) -> tuple[None, set[dt.datetime]]:
        return None, set()

    with monkeypatch.context() as patched:
        patched.setattr(rollup, "fill", nothing_rolled_up)
        return await metrics(client, query)


async def assert_rollup_answers_as_live(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    for query in QUERIES:
        assert await metrics(client, query) == await live(client, monkeypatch, query), query


async def rollup_rows(runtime: Runtime, tenant: str = "alpha") -> list[tuple[Any, ...]]:
    async with runtime.sessions() as session:
        r = MetricsRollup
        statement = (
            select(r.family, r.day, r.key_1, r.key_2, r.sum_1, r.sum_2, r.sum_3, r.sum_4, r.sum_5)
            .where(r.tenant_id == tenant)
            .order_by(r.family, r.day, r.key_1, r.key_2)
        )
        return [tuple(row) for row in await session.execute(statement)]


@BOTH
async def test_rolled_up_days_answer_as_live_ones(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(client, runtime)
    move_clock(LATER)
    await assert_rollup_answers_as_live(client, monkeypatch)
    rows = await rollup_rows(runtime)
    families = {row[0] for row in rows}
    assert families >= {"ledger.entries", "ledger.grants", "inbox.events", "inbox.lags", "subscriptions.changes"}
    # The request rolled up every closed day: every day before today.
    async with runtime.sessions() as session:
        reach = set(await session.scalars(select(MetricsRollupState.built_until)))
    assert reach == {at("2026-04-10", 0)}
    # The processed events' lags, as counts per millisecond: 1 s and 3 s on 16 March.
    lags = [(row[1], row[2], row[4]) for row in rows if row[0] == "inbox.lags"]
    assert lags == [(at("2026-03-16", 0), "1000", 1), (at("2026-03-16", 0), "3000", 1)]


@BOTH
async def test_a_day_changed_after_its_rollup_answers_its_new_figures(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(client, runtime)
    move_clock(LATER)
    before = await metrics(client)
    now = clock.now()
    async with session_scope(runtime.sessions) as session:
        # The dead event of 16 March is replayed and processed now.
        await session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.tenant_id == "alpha", WebhookEvent.stripe_event_id == "evt_ops_2")
            .values(status="processed", processed_at=LATER, updated_at=now)
        )
    # A Stripe event of 18 March is applied late, now: c6 subscribes to basic then.
    late = stripe_subscription("sub_c6_late", "c6", "price_basic_month", start=at("2026-03-18"))
    async with session_scope(runtime.sessions) as session:
        lifecycle = Lifecycle(session, runtime.tenants.get("alpha"), runtime)
        assert await lifecycle.apply(late, observed=at("2026-03-18"), event_id="evt_late") is not None
    after = await metrics(client)
    await assert_rollup_answers_as_live(client, monkeypatch)
    ops = [
        after["operations"]["series"][1][k] - before["operations"]["series"][1][k]
        for k in ("events_processed", "events_dead")
    ]
    assert ops == [1, -1]
    # Received on 16 March at 12:02, processed on 10 April at noon.
    assert after["operations"]["series"][1]["lag_p95_ms"] == 25 * 86_400_000 - 2 * 60_000
    mar = after["subscriptions"]["usd"]["series"][1]
    assert (mar["new"], mar["mrr"]) == (before["subscriptions"]["usd"]["series"][1]["new"] + 1, 1833 + 1000)
    # The daily task rebuilds the changed days (and drops the history's marks); the answers stay.
    async with runtime.sessions() as session:
        marked = set(await session.scalars(select(MetricsRollupChange.family)))
    assert marked == {"subscriptions.changes", "subscriptions.tiers_joined", "subscriptions.tiers_left"}
    await roll_up_tenant(runtime, "alpha")
    async with runtime.sessions() as session:
        assert list(await session.scalars(select(MetricsRollupChange.id))) == []
    await assert_rollup_answers_as_live(client, monkeypatch)
    assert await metrics(client) == after


@BOTH
async def test_the_task_and_the_lazy_fill_are_safe_twice_and_side_by_side(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(client, runtime)
    move_clock(LATER)
    await roll_up_tenant(runtime, "alpha")
    once = await rollup_rows(runtime)
    assert once
    await roll_up_tenant(runtime, "alpha")
    await metrics(client)
    assert await rollup_rows(runtime) == once
    # From nothing, two fills at once (the task and a request): the second waits and finds its days built.
    async with session_scope(runtime.sessions) as session:
        await session.execute(MetricsRollup.__table__.delete())
        await session.execute(MetricsRollupState.__table__.delete())
    await asyncio.gather(roll_up_tenant(runtime, "alpha"), roll_up_tenant(runtime, "alpha"), metrics(client))
    assert await rollup_rows(runtime) == once
    await assert_rollup_answers_as_live(client, monkeypatch)


@BOTH
async def test_one_tenants_rollup_never_counts_in_anothers(
    client: httpx.AsyncClient, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    await history(client, runtime)
    r = await client.put("/t/beta/v1/customers/b1", json={}, headers=auth("beta"))
    assert r.status_code == 201, r.text
    move_clock(at("2026-03-05"))
    async with session_scope(runtime.sessions) as session:
        await Ledger(session, runtime.tenants.get("beta")).grant(
            customer="b1", amount=50, source="admin", source_ref="b"
        )
    move_clock(LATER)
    await roll_up_tenant(runtime, "alpha")
    await roll_up_tenant(runtime, "beta")
    r = await client.get(f"/t/beta/v1/admin/metrics?{MARCH}", headers=auth("beta", "admin"))
    assert r.status_code == 200, r.text
    beta = r.json()
    assert [b["granted"] for b in beta["credits"]["series"]] == [0, 50]
    assert [b["outstanding"] for b in beta["credits"]["series"]] == [0, 50]
    assert beta["operations"]["totals"]["events_received"] == 0
    assert [row[0] for row in await rollup_rows(runtime, "beta")] == ["ledger.entries", "ledger.grants"]
    await assert_rollup_answers_as_live(client, monkeypatch)


def test_a_window_splits_into_rolled_up_days_and_live_edges() -> None:
    day = dt.timedelta(days=1)
    d1, d5, d9 = at("2026-03-01", 0), at("2026-03-05", 0), at("2026-03-09", 0)
    since, until = at("2026-03-01", 6), at("2026-03-12", 6)
    rolled, live_spans = split(since, until, d9, {d5}, (since, until))
    assert rolled == [(d1 + day, d5), (d5 + day, d9)]
    assert live_spans == [(since, d1 + day), (d5, d5 + day), (d9, until)]
    # Open-ended: every day before the reach, then live from there on.
    assert split(None, None, d9, set(), (since, until)) == ([(None, d1), (d1 + day, d9)], [(d1, d1 + day), (d9, None)])
    # Nothing built: all live.
    assert split(since, until, None, set(), (since, until)) == ([], [(since, until)])
