"""The Stripe event backfill: each tenant's events read back from its own account (the emulator) and stored as
their deliveries would have been, once; the watermark, the schedule, the warnings, the admin routes and the CLI.

Tenants alpha and beta enable the recorder plugin (tests/inbox_plugin: `invoice.paid` records a grant,
`customer.subscription.*` a status, `product.*` a name), each on its own emulator account. Nothing is
delivered unless a test delivers it: what the backfill finds is what a lost delivery would have brought.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import httpx
import msgspec
import pytest
import stripe
from click.testing import CliRunner, Result
from prometheus_client import REGISTRY
from sqlalchemy import select, update

from core import clock
from core.app import create_app
from core.cli import main
from core.inbox import backfill as backfill_module
from core.inbox import signature_watch
from core.inbox.backfill import ADMIN, CLI, backfill, backfill_due, read_state
from core.inbox.endpoint import event_types
from core.inbox.models import BackfillState, WebhookEvent
from core.inbox.signature_watch import SignatureWatch, record_checks
from core.notifications.models import Notification
from core.runtime import Runtime
from stripe_emulator.pytest_plugin import EmulatorHandle
from tests.inbox.conftest import grants_by_invoice, subscription_states
from tests.inbox.stripe_events import deliver, encode, signed
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.stripe_tenants import alpha_key, beta_key, settings_overrides  # noqa: F401 - fixtures
from tests.support.tenants import WEBHOOK_SECRETS, auth, secrets_document, tenant_block

BOTH = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
STATUS = "/t/alpha/v1/admin/stripe/backfill"
# Where alpha's webhook endpoint (made in its account before the app starts) would post: nobody listens.
NOWHERE = "http://127.0.0.1:9/t/alpha/webhooks/stripe"


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    notices = {"url": "http://127.0.0.1:9/notices"}
    return {
        "alpha": tenant_block("Alpha App", ["recorder"], notifications=notices),
        "beta": tenant_block("Beta App", ["recorder"], notifications=notices),
    }


@pytest.fixture
def alpha_endpoint(stripe_emulator: EmulatorHandle, alpha_key: str) -> str:  # noqa: F811
    """alpha's endpoint, recorded in its secrets as `tollgate stripe connect` records it; it listens to one
    event type no test makes, so it never holds up a delivery."""
    made = stripe_emulator.control.register_webhook(
        alpha_key, NOWHERE, enabled_events=["coupon.deleted"], secret=WEBHOOK_SECRETS["alpha"]
    )
    return str(made["id"])


@pytest.fixture
def tenant_secrets(alpha_key: str, beta_key: str, alpha_endpoint: str) -> dict[str, Any]:  # noqa: F811
    return {
        "alpha": secrets_document("alpha", stripe_key=alpha_key, stripe_webhook_endpoint_id=alpha_endpoint),
        "beta": secrets_document("beta", stripe_key=beta_key),
    }


@pytest.fixture(autouse=True)
async def _drained(runtime: Runtime) -> AsyncIterator[None]:
    """What a test stored is processed before its runtime stops."""
    yield
    await drain(runtime)


@pytest.fixture
def alpha_stripe(stripe_emulator: EmulatorHandle, alpha_key: str) -> stripe.StripeClient:  # noqa: F811
    return stripe_emulator.stripe_client(alpha_key)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


async def subscribe(client: stripe.StripeClient, email: str = "c@example.com") -> str:
    """A customer subscribes and pays its first invoice: `invoice.paid` among the events; the invoice's id."""
    product = await client.v1.products.create_async(params={"name": "Plan"})
    price = await client.v1.prices.create_async(
        params={"product": product.id, "currency": "usd", "unit_amount": 900, "recurring": {"interval": "month"}}
    )
    customer = await client.v1.customers.create_async(params={"email": email})
    await client.v1.payment_methods.attach_async("pm_card_visa", params={"customer": customer.id})
    subscription = await client.v1.subscriptions.create_async(
        params={"customer": customer.id, "items": [{"price": price.id}], "default_payment_method": "pm_card_visa"}
    )
    return str(subscription.latest_invoice)


async def make_products(client: stripe.StripeClient, count: int) -> list[str]:
    return [(await client.v1.products.create_async(params={"name": f"P{i}"})).id for i in range(count)]


async def stripe_events(client: stripe.StripeClient, types: list[str] | None = None) -> list[dict[str, Any]]:
    """Every event of the account (of `types`), newest first, as Stripe lists them."""
    listed = await client.v1.events.list_async({"limit": 100})
    events = [e.to_dict(for_json=True) async for e in listed.auto_paging_iter()]
    return [e for e in events if types is None or e["type"] in types]


async def inbox(runtime: Runtime, tenant: str | None = None) -> list[WebhookEvent]:
    statement = select(WebhookEvent).order_by(WebhookEvent.event_created, WebhookEvent.stripe_event_id)
    if tenant:
        statement = statement.where(WebhookEvent.tenant_id == tenant)
    async with runtime.sessions() as session:
        return list((await session.execute(statement)).scalars())


async def state(runtime: Runtime, tenant: str = "alpha") -> BackfillState:
    async with runtime.sessions() as session:
        row = await read_state(session, tenant)
    assert row is not None
    return row


async def notices(runtime: Runtime, event_type: str, tenant: str = "alpha") -> list[Notification]:
    statement = select(Notification).where(Notification.tenant_id == tenant, Notification.event_type == event_type)
    async with runtime.sessions() as session:
        return list((await session.execute(statement)).scalars())


def gauge(name: str, **labels: str) -> float | None:
    return REGISTRY.get_sample_value(name, labels)


def handled(runtime: Runtime, tenant: str = "alpha") -> list[str]:
    return event_types(runtime, runtime.tenants.get(tenant))


# ---------------------------------------------------------------------------------------------
# What is stored, once
# ---------------------------------------------------------------------------------------------


@BOTH
async def test_missing_events_are_stored_once_as_backfilled_and_processed(
    runtime: Runtime, alpha_stripe: stripe.StripeClient
) -> None:
    invoice = await subscribe(alpha_stripe)
    expected = await stripe_events(alpha_stripe, handled(runtime))
    assert {"invoice.paid", "customer.subscription.created", "product.created"} <= {e["type"] for e in expected}
    counted_before = gauge("tollgate_stripe_events_backfilled_total", tenant="alpha", type="invoice.paid") or 0.0
    alpha = runtime.tenants.get("alpha")

    run = await backfill(runtime, alpha, trigger=CLI)
    await drain(runtime)
    assert (run.status, run.error, run.advanced) == ("ok", None, True)
    assert run.seen == run.stored == len(expected)
    assert run.stored_by_type["invoice.paid"] == 1
    assert run.event_types == len(handled(runtime))
    rows = await inbox(runtime)
    assert sorted(r.stripe_event_id for r in rows) == sorted(e["id"] for e in expected)
    assert {r.source for r in rows} == {"backfill"}
    assert {r.status for r in rows} == {"processed"}, "processed as a delivery would be"
    assert await grants_by_invoice(runtime) == {invoice: 1}
    assert list((await subscription_states(runtime)).values()) == ["active"]
    stored = next(r for r in rows if r.event_type == "invoice.paid")
    assert msgspec.json.decode(stored.payload)["data"]["object"]["id"] == invoice
    assert run.watermark == max(e["created"] for e in expected)
    assert (await state(runtime)).watermark == run.watermark
    counted = gauge("tollgate_stripe_events_backfilled_total", tenant="alpha", type="invoice.paid")
    assert counted == counted_before + 1

    again = await backfill(runtime, alpha, trigger=CLI)
    await drain(runtime)
    assert (again.status, again.stored, again.seen) == ("ok", 0, len(expected)), "the overlap reads them again"
    assert len(await inbox(runtime)) == len(rows)
    assert await grants_by_invoice(runtime) == {invoice: 1}, "credits granted once"
    assert again.watermark == run.watermark
    row = await state(runtime)
    assert (row.seen_total, row.stored_total, row.run_stored) == (2 * len(expected), len(expected), 0)


@BOTH
async def test_an_event_already_delivered_is_not_stored_again(
    runtime: Runtime, client: httpx.AsyncClient, alpha_stripe: stripe.StripeClient
) -> None:
    invoice = await subscribe(alpha_stripe)
    [paid] = await stripe_events(alpha_stripe, ["invoice.paid"])
    assert (await deliver(client, paid)).status_code == 200
    await drain(runtime)
    assert await grants_by_invoice(runtime) == {invoice: 1}

    run = await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
    await drain(runtime)
    assert run.stored == run.seen - 1
    assert "invoice.paid" not in run.stored_by_type
    sources = {r.stripe_event_id: r.source for r in await inbox(runtime)}
    assert sources[paid["id"]] == "delivery"
    assert list(sources.values()).count("delivery") == 1
    assert await grants_by_invoice(runtime) == {invoice: 1}

    # And a late delivery of a backfilled event is a duplicate.
    [created] = await stripe_events(alpha_stripe, ["customer.subscription.created"])
    again = await deliver(client, created)
    assert again.json()["duplicate"] is True


@BOTH
async def test_the_watermark_moves_only_past_events_stored(
    runtime: Runtime,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,  # noqa: F811
    alpha_stripe: stripe.StripeClient,
    monkeypatch: Any,
) -> None:
    monkeypatch.setattr(backfill_module, "PAGE_SIZE", 2)
    alpha = runtime.tenants.get("alpha")
    await make_products(alpha_stripe, 3)
    first = await backfill(runtime, alpha, trigger=CLI)
    assert (first.status, first.pages, first.stored) == ("ok", 2, 3)
    watermark = first.watermark
    assert watermark is not None

    await stripe_emulator.control.aio.advance_clock(alpha_key, seconds=1000)
    newer = await make_products(alpha_stripe, 5)

    def fail_from_the_second_page(run: backfill_module.BackfillRun) -> None:
        if run.pages == 1:  # every request of the listing from now on fails (the SDK's retry too)
            stripe_emulator.control.fail_next(alpha_key, 10, status=500, path_prefix="/v1/events")

    failed = await backfill(runtime, alpha, trigger=CLI, on_page=fail_from_the_second_page)
    assert (failed.status, failed.pages, failed.stored, failed.advanced) == ("failed", 1, 2, False)
    assert failed.error and "APIError" in failed.error
    assert (await state(runtime)).watermark == watermark, "never past a failed page"
    stored = {r.object_id for r in await inbox(runtime)}
    assert len(stored & set(newer)) == 2, "the newest page is kept"

    await stripe_emulator.control.aio.clear_faults(alpha_key)
    done = await backfill(runtime, alpha, trigger=CLI)
    assert (done.status, done.stored, done.advanced) == ("ok", 3, True)
    assert set(newer) <= {r.object_id for r in await inbox(runtime)}
    assert done.watermark is not None and done.watermark >= watermark + 1000
    assert len(await inbox(runtime)) == 8, "each event once"

    # A run stopped by its page limit stores what it read and leaves the watermark too.
    await stripe_emulator.control.aio.advance_clock(alpha_key, seconds=1000)
    await make_products(alpha_stripe, 3)
    partial = await backfill(runtime, alpha, trigger=CLI, max_pages=1)
    assert (partial.status, partial.stored, partial.advanced) == ("partial", 2, False)
    assert (await state(runtime)).watermark == done.watermark


async def test_only_the_types_of_enabled_handlers_are_read_twenty_at_most_per_request(
    runtime: Runtime, alpha_stripe: stripe.StripeClient, monkeypatch: Any
) -> None:
    await alpha_stripe.v1.coupons.create_async(params={"percent_off": 10, "duration": "once"})
    invoice = await subscribe(alpha_stripe)
    every = await stripe_events(alpha_stripe)
    assert {"coupon.created", "customer.created", "invoice.created"} <= {e["type"] for e in every}
    monkeypatch.setattr(backfill_module, "TYPES_PER_REQUEST", 2)  # 7 types: four requests

    run = await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
    await drain(runtime)
    assert run.status == "ok"
    assert run.pages == 4
    wanted = [e for e in every if e["type"] in handled(runtime)]
    assert sorted(r.stripe_event_id for r in await inbox(runtime)) == sorted(e["id"] for e in wanted)
    assert {r.event_type for r in await inbox(runtime)} <= set(handled(runtime))
    assert await grants_by_invoice(runtime) == {invoice: 1}


@BOTH
async def test_tenants_never_see_each_others_events(
    runtime: Runtime,
    stripe_emulator: EmulatorHandle,
    alpha_stripe: stripe.StripeClient,
    beta_key: str,  # noqa: F811
) -> None:
    beta_stripe = stripe_emulator.stripe_client(beta_key)
    alpha_products = await make_products(alpha_stripe, 2)
    beta_products = await make_products(beta_stripe, 3)

    await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
    assert {r.object_id for r in await inbox(runtime)} == set(alpha_products)
    assert {r.tenant_id for r in await inbox(runtime)} == {"alpha"}

    await backfill(runtime, runtime.tenants.get("beta"), trigger=CLI)
    await drain(runtime)
    assert {r.object_id for r in await inbox(runtime, "beta")} == set(beta_products)
    assert {r.object_id for r in await inbox(runtime, "alpha")} == set(alpha_products)


# ---------------------------------------------------------------------------------------------
# The schedule
# ---------------------------------------------------------------------------------------------


async def test_the_schedule_reads_each_tenant_when_due_once_however_many_workers_run_it(
    runtime: Runtime,
    alpha_stripe: stripe.StripeClient,
    stripe_emulator: EmulatorHandle,
    beta_key: str,  # noqa: F811
) -> None:
    await make_products(alpha_stripe, 2)
    await make_products(stripe_emulator.stripe_client(beta_key), 1)
    # Two workers at once: each tenant read by one of them.
    assert sum(await asyncio.gather(backfill_due(runtime), backfill_due(runtime))) == 2
    assert len(await inbox(runtime, "alpha")) == 2 and len(await inbox(runtime, "beta")) == 1
    assert (await state(runtime)).run_trigger == "schedule"
    assert await backfill_due(runtime) == 0, "not due again before interval_seconds"

    clock.advance(dt.timedelta(seconds=runtime.config.stripe_backfill.interval_seconds + 1))
    await make_products(alpha_stripe, 1)
    assert await backfill_due(runtime) == 2
    assert len(await inbox(runtime, "alpha")) == 3

    # A run holding the tenant (another worker, mid-listing) keeps the others off it.
    clock.advance(dt.timedelta(seconds=runtime.config.stripe_backfill.interval_seconds + 1))
    await another_run(runtime, holds=True)
    assert await backfill_due(runtime) == 1
    with pytest.raises(Exception, match="running") as refused:
        await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
    assert getattr(refused.value, "code", None) == "stripe_backfill_in_progress"


async def another_run(runtime: Runtime, *, holds: bool) -> None:
    """Another run (a worker, mid-listing) takes alpha's lease, or ends and lets it go."""
    async with runtime.sessions() as session:
        lease = {"lease_token": "other", "leased_until": clock.now() + dt.timedelta(minutes=5)}
        await session.execute(
            update(BackfillState)
            .where(BackfillState.tenant_id == "alpha")
            .values(lease if holds else {"lease_token": None, "leased_until": None})
        )
        await session.commit()


async def test_the_schedule_leaves_an_event_still_being_delivered_to_its_next_run(
    runtime: Runtime,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,
    alpha_stripe: stripe.StripeClient,  # noqa: F811
) -> None:
    [old] = await make_products(alpha_stripe, 1)
    # Stripe now delivers product.created to an endpoint that does not answer (yet).
    await stripe_emulator.control.aio.register_webhook(
        alpha_key, "http://127.0.0.1:9/elsewhere", enabled_events=["product.created"]
    )
    [young] = await make_products(alpha_stripe, 1)
    [created] = [e["created"] for e in await stripe_events(alpha_stripe) if e["data"]["object"]["id"] == young]

    assert await backfill_due(runtime) == 2
    row = await state(runtime)
    assert {r.object_id for r in await inbox(runtime, "alpha")} == {old}
    assert row.run_stored == 1 and row.watermark is not None and row.watermark < created, "held below it"

    # The next run, well after: its delivery never came, so it is a lost one.
    clock.advance(dt.timedelta(seconds=runtime.config.stripe_backfill.interval_seconds + 120))
    assert await backfill_due(runtime) == 2
    assert {r.object_id for r in await inbox(runtime, "alpha")} == {old, young}
    assert (await state(runtime)).watermark == created

    # An operator's run stores what it lists at once.
    [now] = await make_products(alpha_stripe, 1)
    run = await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
    assert (run.stored, run.deferred) == (1, 0)
    assert now in {r.object_id for r in await inbox(runtime, "alpha")}


async def test_a_disabled_schedule_reads_nothing(
    make_runtime: Any, runtime: Runtime, alpha_stripe: stripe.StripeClient
) -> None:
    runtime = make_runtime(stripe_backfill={"enabled": False})
    await make_products(alpha_stripe, 1)
    assert await backfill_due(runtime) == 0


# ---------------------------------------------------------------------------------------------
# Warnings
# ---------------------------------------------------------------------------------------------


@BOTH
async def test_a_disabled_or_missing_endpoint_warns_once_per_episode(
    runtime: Runtime, alpha_stripe: stripe.StripeClient, alpha_endpoint: str
) -> None:
    alpha = runtime.tenants.get("alpha")
    ok = await backfill(runtime, alpha, trigger=CLI)
    assert ok.warnings == []
    assert (await state(runtime)).endpoint_status == "enabled"

    await alpha_stripe.v1.webhook_endpoints.update_async(alpha_endpoint, params={"disabled": True})
    for _ in range(3):
        run = await backfill(runtime, alpha, trigger=CLI)
        assert run.warnings == ["endpoint_disabled"]
    row = await state(runtime)
    assert (row.endpoint_id, row.endpoint_status) == (alpha_endpoint, "disabled")
    assert row.endpoint_warned_since is not None
    assert gauge("tollgate_stripe_backfill_warnings", tenant="alpha", kind="endpoint_disabled") == 1
    [notice] = await notices(runtime, "stripe.endpoint_disabled")
    assert notice.data["endpoint"] == alpha_endpoint and notice.data["status"] == "disabled"

    # A day later it still holds: one more notice.
    clock.advance(dt.timedelta(days=1, minutes=1))
    await backfill(runtime, alpha, trigger=CLI)
    assert len(await notices(runtime, "stripe.endpoint_disabled")) == 2

    await alpha_stripe.v1.webhook_endpoints.update_async(alpha_endpoint, params={"disabled": False})
    cleared = await backfill(runtime, alpha, trigger=CLI)
    assert cleared.warnings == []
    assert (await state(runtime)).endpoint_warned_since is None
    assert gauge("tollgate_stripe_backfill_warnings", tenant="alpha", kind="endpoint_disabled") == 0

    await alpha_stripe.v1.webhook_endpoints.delete_async(alpha_endpoint)
    gone = await backfill(runtime, alpha, trigger=CLI)
    assert gone.warnings == ["endpoint_disabled"]
    assert (await state(runtime)).endpoint_status == "missing"
    assert len(await notices(runtime, "stripe.endpoint_disabled")) == 3, "a new episode"


@BOTH
async def test_a_watermark_left_behind_warns(
    runtime: Runtime,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,  # noqa: F811
) -> None:
    alpha = runtime.tenants.get("alpha")
    assert (await backfill(runtime, alpha, trigger=CLI)).status == "ok"
    limit = runtime.config.stripe_backfill.behind_warning_seconds

    await stripe_emulator.control.aio.fail_next(alpha_key, 10, status=500, path_prefix="/v1/events")
    clock.advance(dt.timedelta(seconds=limit - 60))
    quiet = await backfill(runtime, alpha, trigger=CLI)
    assert (quiet.status, quiet.warnings) == ("failed", []), "not yet behind the limit"
    clock.advance(dt.timedelta(seconds=120))
    behind = await backfill(runtime, alpha, trigger=CLI)
    assert (behind.status, behind.warnings) == ("failed", ["events_behind"])
    [notice] = await notices(runtime, "stripe.events_behind")
    assert notice.data["lag_seconds"] > limit and notice.data["limit_seconds"] == limit
    assert "APIError" in notice.data["last_error"]
    assert (gauge("tollgate_stripe_backfill_lag_seconds", tenant="alpha") or 0) > limit
    assert gauge("tollgate_stripe_backfill_warnings", tenant="alpha", kind="events_behind") == 1

    await stripe_emulator.control.aio.clear_faults(alpha_key)
    caught_up = await backfill(runtime, alpha, trigger=CLI)
    assert (caught_up.status, caught_up.warnings) == ("ok", [])
    assert (gauge("tollgate_stripe_backfill_lag_seconds", tenant="alpha") or 0) < 60


@BOTH
async def test_signature_failures_in_a_row_warn_and_a_verified_delivery_clears_them(
    runtime: Runtime, alpha_stripe: stripe.StripeClient, monkeypatch: Any
) -> None:
    writes: list[int] = []
    record = signature_watch.record_checks

    async def counted(*args: Any, **kwargs: Any) -> None:
        writes.append(kwargs["failures"])
        await record(*args, **kwargs)

    monkeypatch.setattr(signature_watch, "record_checks", counted)
    threshold = runtime.config.stripe_backfill.signature_failures_warning
    app = create_app(runtime)
    await subscribe(alpha_stripe)
    [paid] = await stripe_events(alpha_stripe, ["invoice.paid"])
    body = encode(paid)
    async with asgi_client(app) as http:
        for _ in range(threshold * 4):
            bad = signed(body, secrets=["whsec_stale_after_a_roll"])
            r = await http.post("/t/alpha/webhooks/stripe", content=body, headers=bad)
            assert r.json()["error"]["code"] == "invalid_signature"
        assert len(writes) <= 1, "refused deliveries are not written one by one"
        await app.state.inbox.signatures.flush()
        assert sum(writes) == threshold * 4 and len(writes) <= 2
        row = await state(runtime)
        assert row.signature_failures == threshold * 4 and row.signature_passed_at is None
        failures = gauge("tollgate_stripe_signature_failures_total", tenant="alpha")
        assert failures is not None and failures >= threshold * 4

        run = await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
        assert run.warnings == ["signature_failures"]
        [notice] = await notices(runtime, "stripe.signature_failures")
        assert notice.data["failures"] == threshold * 4 and notice.data["threshold"] == threshold

        good = await deliver(http, paid)
        assert good.status_code == 200
        await app.state.inbox.signatures.flush()
        row = await state(runtime)
        assert row.signature_failures == 0 and row.signature_passed_at is not None
        cleared = await backfill(runtime, runtime.tenants.get("alpha"), trigger=CLI)
        assert cleared.warnings == []
        assert len(await notices(runtime, "stripe.signature_failures")) == 1
        await drain(runtime)


async def test_several_processes_count_failures_in_a_row_until_any_verifies(runtime: Runtime) -> None:
    """Two API processes' watches on one row: a success in either ends the row; older failures written late
    do not start it again."""
    first, second = SignatureWatch(runtime), SignatureWatch(runtime)
    for _ in range(3):
        first.failed("alpha")
    await first.flush()
    for _ in range(2):
        second.failed("alpha")
    await second.flush()
    assert (await state(runtime)).signature_failures == 5

    late = SignatureWatch(runtime)
    late.failed("alpha")  # counted before the success below, written after it
    second.passed("alpha")
    await second.flush()
    assert (await state(runtime)).signature_failures == 0
    await late.flush()
    assert (await state(runtime)).signature_failures == 0, "a failure older than the last success is not in a row"

    first.failed("alpha")
    await first.flush()
    row = await state(runtime)
    assert row.signature_failures == 1 and row.signature_failed_at > row.signature_passed_at

    # A success counted before a failure but written after it does not end the row (its count is kept whole).
    failed_at = row.signature_failed_at + dt.timedelta(seconds=2)
    await record_checks(runtime, "alpha", failures=1, failing_since=failed_at, failed_at=failed_at, passed_at=None)
    passed_at = failed_at - dt.timedelta(seconds=1)
    await record_checks(runtime, "alpha", failures=0, failing_since=None, failed_at=None, passed_at=passed_at)
    row = await state(runtime)
    assert row.signature_failures == 2 and row.signature_passed_at == passed_at
    assert row.signature_failed_at == failed_at


# ---------------------------------------------------------------------------------------------
# Operators: the admin routes and the CLI
# ---------------------------------------------------------------------------------------------


@BOTH
async def test_the_admin_routes_read_and_run_the_backfill(
    runtime: Runtime, client: httpx.AsyncClient, alpha_stripe: stripe.StripeClient, monkeypatch: Any
) -> None:
    admin = auth("alpha", "admin")
    empty = (await client.get(STATUS, headers=admin)).json()
    assert (empty["last_run"], empty["watermark"], empty["warnings"]) == (None, None, [])
    assert empty["events"] == {"delivered": 0, "backfilled": 0}
    assert (await client.post(STATUS, headers=auth("alpha"))).status_code == 403

    invoice = await subscribe(alpha_stripe)
    [paid] = await stripe_events(alpha_stripe, ["invoice.paid"])
    assert (await deliver(client, paid)).status_code == 200
    r = await client.post(STATUS, headers=admin)
    assert r.status_code == 200, r.text
    run = r.json()
    assert (run["status"], run["trigger"], run["advanced"], run["error"]) == ("ok", ADMIN, True, None)
    assert run["stored"] == run["seen"] - 1 and run["stored"] >= 2
    await drain(runtime)
    assert await grants_by_invoice(runtime) == {invoice: 1}

    status = (await client.get(STATUS, headers=admin)).json()
    assert status["events"] == {"delivered": 1, "backfilled": run["stored"]}
    assert status["last_run"]["status"] == "ok" and status["last_run"]["stored"] == run["stored"]
    assert status["watermark"] == run["watermark"] and status["running"] is False
    assert status["stored_total"] == run["stored"] and status["lag_seconds"] < 60
    assert status["endpoint"]["status"] == "enabled"

    events = "/t/alpha/v1/admin/webhook-events"
    backfilled = (await client.get(events, params={"source": "backfill"}, headers=admin)).json()["data"]
    assert len(backfilled) == run["stored"] and {e["source"] for e in backfilled} == {"backfill"}
    delivered = (await client.get(events, params={"source": "delivery"}, headers=admin)).json()["data"]
    assert [e["stripe_event_id"] for e in delivered] == [paid["id"]]
    figures = (await client.get("/t/alpha/v1/admin/figures", headers=admin)).json()["figures"]
    assert figures["core.inbox"]["stripe_events"] == {"delivered": 1, "backfilled": run["stored"]}

    monkeypatch.setattr(backfill_module, "PAGE_SIZE", 1)
    since = (clock.now() - dt.timedelta(days=1)).isoformat()
    partial = (await client.post(STATUS, params={"max_pages": 2, "since": since}, headers=admin)).json()
    assert (partial["status"], partial["pages"], partial["stored"], partial["advanced"]) == ("partial", 2, 0, False)
    assert partial["since"].startswith(since[:16])
    assert (await client.post(STATUS, params={"max_pages": 0}, headers=admin)).status_code == 400

    async with runtime.sessions() as session:
        await session.execute(
            update(BackfillState)
            .where(BackfillState.tenant_id == "alpha")
            .values(lease_token="other", leased_until=clock.now() + dt.timedelta(minutes=5))
        )
        await session.commit()
    busy = await client.post(STATUS, headers=admin)
    assert (busy.status_code, busy.json()["error"]["code"]) == (409, "stripe_backfill_in_progress")
    assert (await client.get(STATUS, headers=admin)).json()["running"] is True


@pytest.fixture
def cli_runtime(make_runtime: Any, runtime: Runtime) -> Runtime:
    """A second runtime for the CLI, used on the CLI's own event loop (in a thread) only (after `runtime`'s wipe)."""
    return make_runtime()  # type: ignore[no-any-return]


def tollgate(runtime: Runtime, *args: str) -> Result:
    return CliRunner().invoke(main, ["stripe", "backfill", *args], obj=runtime, catch_exceptions=False)


async def test_the_cli_backfills_with_progress_and_a_summary(
    runtime: Runtime, make_runtime: Any, cli_runtime: Runtime, alpha_stripe: stripe.StripeClient
) -> None:
    invoice = await subscribe(alpha_stripe)
    done = await asyncio.to_thread(tollgate, cli_runtime, "alpha", "--since", "2d")
    assert done.exit_code == 0, done.output
    assert "the inbox lacked, stored" in done.output
    assert "1 x invoice.paid" in done.output
    # Two days back is after where the first scheduled run reads (first_lookback_seconds, 3 days): no watermark.
    assert "watermark: none yet (unchanged)" in done.output
    assert await grants_by_invoice(runtime) == {invoice: 1}, "the CLI applied what it stored (embedded shape)"
    assert {r.source for r in await inbox(runtime)} == {"backfill"}

    again = await asyncio.to_thread(tollgate, make_runtime(), "alpha")
    assert again.exit_code == 0, again.output
    assert "0 the inbox lacked, stored" in again.output.replace("[bold]", "")
    assert "watermark: 20" in again.output and "(unchanged)" not in again.output
    assert await grants_by_invoice(runtime) == {invoice: 1}


async def test_the_cli_explains_unknown_tenants_bad_dates_and_stripe_failures(
    make_runtime: Any,
    runtime: Runtime,
    stripe_emulator: EmulatorHandle,
    alpha_key: str,  # noqa: F811
) -> None:
    unknown = await asyncio.to_thread(tollgate, make_runtime(), "nobody")
    assert unknown.exit_code == 2 and "no tenant nobody" in unknown.output
    bad = await asyncio.to_thread(tollgate, make_runtime(), "alpha", "--since", "last tuesday")
    assert bad.exit_code == 2 and "neither an ISO date" in bad.output

    await stripe_emulator.control.aio.fail_next(alpha_key, 10, status=500, path_prefix="/v1/events")
    failed = await asyncio.to_thread(tollgate, make_runtime(), "alpha", "--since", "2026-01-01")
    assert failed.exit_code == 1
    assert "the backfill of alpha failed: APIError" in failed.output
    await stripe_emulator.control.aio.clear_faults(alpha_key)


async def test_the_cli_waits_for_the_run_holding_the_tenant_or_says_who_holds_it(
    runtime: Runtime, make_runtime: Any, cli_runtime: Runtime, alpha_stripe: stripe.StripeClient
) -> None:
    assert (await asyncio.to_thread(tollgate, cli_runtime, "alpha")).exit_code == 0
    await another_run(runtime, holds=True)
    at_once = await asyncio.to_thread(tollgate, make_runtime(), "alpha", "--wait", "0")
    assert at_once.exit_code == 1
    assert "is running; try again when it ends. (another worker or operator is reading alpha)" in at_once.output
    waited = await asyncio.to_thread(tollgate, make_runtime(), "alpha", "--wait", "1")
    assert waited.exit_code == 1 and "reading alpha; waited 1 s (--wait)" in waited.output

    # By default the CLI waits for the other run to end (the schedule's run takes seconds), then runs.
    invoice = await subscribe(alpha_stripe)
    waiting = asyncio.ensure_future(asyncio.to_thread(tollgate, make_runtime(), "alpha", "--since", "2d"))
    await asyncio.sleep(3)
    assert not waiting.done()
    await another_run(runtime, holds=False)
    done = await waiting
    assert done.exit_code == 0, done.output
    assert "1 x invoice.paid" in done.output
    assert await grants_by_invoice(runtime) == {invoice: 1}
