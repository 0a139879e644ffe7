"""Recovering from deliveries Stripe never made: an endpoint unreachable for two simulated days, or a
signing secret that no longer verifies. Customers subscribe, renew, buy a pack and payg credits, and an order
paid before the outage is refunded during it; the backfill then grants every credit exactly once, the money
audit finds nothing, the ledger verifies, and running both again changes nothing. A grant lost on Tollgate's
side is reported by the audit and by the verifier and never re-invented.

Expected balances, from alpha's configuration (tests/recovery/conftest.py):
  sub-early   basic, subscribed before the outage, renewed during it: the first period's 200 credits expire
              at the period end, the renewal's 200 remain                                        -> 200
  sub-late    basic, subscribed during the outage                                               -> 200
  pack        token package `standard`: 1000 credits + 100 bonus                                -> 1100
  payg        300 pay-as-you-go credits (100 credits per usd 1.00)                              -> 300
  refunded    token package `trial` (500) bought before the outage, refunded in full during it  -> 0
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, select

from core import clock
from core.cli import main
from core.inbox.models import WebhookEvent
from core.ledger.models import CreditAccount, CreditAllocation, CreditGrant, LedgerEntry
from core.ledger.sources import grant_sources
from core.ledger.verify import verify_ledger
from tests.recovery.conftest import Store
from tests.support.ledger import assert_ledger_verified

BOTH = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
DAY = 86400
STALE_SECRET = "whsec_before_the_rotation"

CUSTOMERS = ["sub-early", "sub-late", "pack", "payg", "refunded"]
EXPECTED = {"sub-early": 200, "sub-late": 200, "pack": 1000 + 100, "payg": 300, "refunded": 500 - 500}
# Before any recovery: only what was delivered before the outage counts (the first period has ended, so
# sub-early's first allowance has expired; the refund's clawback is made by the admin route itself).
BEFORE_RECOVERY = dict.fromkeys(CUSTOMERS, 0)
# The events the outage lost that carry money, by type: at least this many must be stored by the backfill.
LOST_MONEY_EVENTS = {
    "invoice.paid": 2,  # sub-late's first invoice, sub-early's renewal
    "checkout.session.completed": 2,  # sub-late's subscription, the pack
    "payment_intent.succeeded": 1,  # payg (the pack's and the invoices' too, at least)
    "charge.refunded": 1,  # the refund made through the admin route
}


async def outage(store: Store, fault: str) -> tuple[dt.datetime, int]:
    """Customers pay while Stripe's deliveries fail with `fault` ("drop" for two simulated days, or
    "stale_secret"); returns when the test started (our clock) and when the outage started (Stripe's)."""
    started = clock.now() - dt.timedelta(hours=1)
    early = await store.subscribe("sub-early")
    refunded = await store.buy_pack("refunded", "trial")
    assert await store.balances(["sub-early", "refunded"]) == {"sub-early": 200, "refunded": 500}, "delivered"

    # The outage starts a day before sub-early's period ends, so its renewal falls inside it.
    subscription = await store.emulator.stripe_client(store.key).v1.subscriptions.retrieve_async(early)
    period_end = int(subscription["items"]["data"][0]["current_period_end"])
    await store.advance_to(period_end - DAY)
    outage_start = await store.stripe_now()
    if fault == "drop":
        await store.control.set_webhook_faults(store.key, drop_until=outage_start + 2 * DAY)
    else:
        await store.control.set_webhook_faults(store.key, stale_secret=STALE_SECRET)

    await store.subscribe("sub-late")
    await store.buy_pack("pack", "standard")
    await store.buy_payg("payg", 300)
    refund = await store.refund(refunded)
    assert refund["status"] == "succeeded", refund
    await store.renew(early)
    await store.advance_to(outage_start + 2 * DAY + 60)
    return started, outage_start


async def deliveries(store: Store) -> dict[str, int]:
    """What became of the emulator's delivery attempts: ok, refused (4xx/5xx) or dropped."""
    attempts = (await store.control.deliveries(store.key))["data"]
    return {
        "ok": sum(1 for a in attempts if a["ok"]),
        "refused": sum(1 for a in attempts if not a["ok"] and not a["dropped"]),
        "dropped": sum(1 for a in attempts if a["dropped"]),
    }


async def events_since(store: Store, created: int) -> list[tuple[str, str]]:
    """The inbox's events Stripe created at or after `created`: (type, source)."""
    statement = select(WebhookEvent.event_type, WebhookEvent.source).where(
        WebhookEvent.tenant_id == store.slug, WebhookEvent.event_created >= created
    )
    async with store.runtime.sessions() as session:
        return [(str(t), str(s)) for t, s in (await session.execute(statement)).all()]


async def recovered(store: Store, started: dt.datetime, outage_start: int) -> dict[str, Any]:
    """The backfill stores what the outage lost, once: balances as if everything had been delivered, a clean
    audit and ledger; a second backfill and audit change nothing. Returns the first backfill run."""
    assert await store.balances(CUSTOMERS) == BEFORE_RECOVERY, "the outage's credits are missing"
    assert await events_since(store, outage_start) == [], "nothing of the outage reached the inbox"

    run = await store.backfill()
    assert (run["status"], run["error"]) == ("ok", None), run
    for event_type, lost in LOST_MONEY_EVENTS.items():
        assert run["stored_by_type"].get(event_type, 0) >= lost, (event_type, run["stored_by_type"])
    assert await store.balances(CUSTOMERS) == EXPECTED, "every credit granted exactly once"
    during = await events_since(store, outage_start)
    assert {source for _, source in during} == {"backfill"} and len(during) == run["stored"]

    audit = await store.audit(started)
    assert (audit["status"], audit["open_differences"], audit["differences"]) == ("clean", 0, []), [
        (d["kind"], d["stripe_object"], d.get("customer"), d.get("detail")) for d in audit["differences"]
    ]
    assert audit["objects"]["payment_intents"] >= 5, audit["objects"]
    await assert_ledger_verified(store.runtime)

    counted = await store.rows()
    again = await store.backfill()
    assert (again["status"], again["stored"]) == ("ok", 0), again
    repaired = await store.audit(started, repair=True)
    assert (repaired["status"], repaired["differences"]) == ("clean", []), repaired
    assert await store.rows() == counted, "the same run twice changes nothing"
    assert await store.balances(CUSTOMERS) == EXPECTED
    await assert_ledger_verified(store.runtime)
    return run


@BOTH
async def test_two_days_of_dropped_deliveries_are_backfilled_once(store: Store) -> None:
    started, outage_start = await outage(store, "drop")
    seen = await deliveries(store)
    assert seen["dropped"] > 0 and seen["refused"] == 0, seen

    run = await recovered(store, started, outage_start)
    assert run["warnings"] == [], "an endpoint that drops everything looks healthy from Tollgate's side"
    status = await store.backfill_status()
    assert status["events"]["backfilled"] == run["stored"]

    # Past the window the endpoint receives again: a new payment arrives as a delivery.
    await store.buy_payg("payg", 100)
    assert await store.balance("payg") == 400
    assert ("payment_intent.succeeded", "delivery") in await events_since(store, outage_start)


@BOTH
async def test_deliveries_signed_with_a_stale_secret_are_backfilled_once_and_warned_about(store: Store) -> None:
    started, outage_start = await outage(store, "stale_secret")
    seen = await deliveries(store)
    assert seen["refused"] > 0 and seen["dropped"] == 0, seen
    attempts = (await store.control.deliveries(store.key))["data"]
    refused = {a["status_code"] for a in attempts if not a["ok"]}
    assert refused == {400}, "every delivery fails its signature check"

    run = await recovered(store, started, outage_start)
    assert run["warnings"] == ["signature_failures"]
    status = await store.backfill_status()
    assert [w["kind"] for w in status["warnings"]] == ["signature_failures"]
    threshold = store.runtime.config.stripe_backfill.signature_failures_warning
    assert status["signature_checks"]["failures_in_row"] >= threshold
    assert status["events"]["backfilled"] == run["stored"]


@BOTH
async def test_a_grant_deleted_behind_the_ledgers_back_is_reported_and_not_reinvented(
    store: Store, make_runtime: Any
) -> None:
    started = clock.now() - dt.timedelta(hours=1)
    await store.subscribe("sub-early")
    await store.buy_pack("pack", "standard")
    await store.buy_payg("payg", 300)
    assert await store.balances(["sub-early", "pack", "payg"]) == {"sub-early": 200, "pack": 1100, "payg": 300}
    assert (await store.audit(started))["status"] == "clean"
    await assert_ledger_verified(store.runtime)

    # The pack's grant disappears from a test database, with its entries and allocations; nothing else is fixed
    # (the account's balance still says 1100).
    async with store.runtime.sessions() as session, session.begin():
        grant = (
            await session.execute(
                select(CreditGrant.id)
                .join(CreditAccount, CreditAccount.id == CreditGrant.account_id)
                .where(CreditGrant.tenant_id == "alpha", CreditAccount.customer == "pack")
            )
        ).one()
        entries = select(CreditAllocation.entry_id).where(CreditAllocation.grant_id == grant.id)
        entry_ids = list((await session.execute(entries)).scalars())
        await session.execute(delete(CreditAllocation).where(CreditAllocation.grant_id == grant.id))
        await session.execute(delete(LedgerEntry).where(LedgerEntry.id.in_(entry_ids)))
        await session.execute(delete(LedgerEntry).where(LedgerEntry.reference == str(grant.id)))
        await session.execute(delete(CreditGrant).where(CreditGrant.id == grant.id))
    counted = await store.rows()

    report = await verify_ledger(store.runtime.engine, sources=grant_sources(store.runtime.plugins))
    assert report.violations, "the verifier sees the account no longer adds up"
    assert {v.customer for v in report.violations} == {"pack"}, [v.line() for v in report.violations]
    # The CLI runs its own event loop, so it gets its own runtime and a thread.
    cli = await asyncio.to_thread(CliRunner().invoke, main, ["ledger", "verify", "alpha"], obj=make_runtime())
    assert cli.exit_code == 1, cli.output
    assert "alpha/pack" in cli.output and "alpha/sub-early" not in cli.output

    for repair in (False, True):
        run = await store.audit(started, repair=repair)
        [difference] = run["differences"]
        assert (difference["kind"], difference["status"], difference["customer"]) == (
            "paid_not_granted",
            "open",
            "pack",
        ), difference
    assert "a person must look" in difference["repair_note"]
    assert await store.rows() == counted, "the repair invents no credits"
    report = await verify_ledger(store.runtime.engine, sources=grant_sources(store.runtime.plugins))
    assert report.violations, "still reported: nobody repaired it"
