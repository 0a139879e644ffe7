"""The money audit against Stripe: clean when every event was applied; a missing event reported and
repaired through the inbox once; a grant lost behind the ledger's back reported and never re-invented;
a refund without its clawback reported; one tenant's audit never sees another's money."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, select

from core import clock
from core.cli import main
from core.inbox.models import WebhookEvent
from core.ledger.models import CreditAllocation, CreditGrant, LedgerEntry
from plugins.token_packages.models import Order
from tests.support.jobs import drain
from tests.support.tenants import auth
from tests.token_packages.conftest import Shop

ADMIN = "/t/{}/v1/admin/money-audits"


def period() -> tuple[dt.datetime, dt.datetime]:
    now = clock.now()
    return now - dt.timedelta(days=1), now + dt.timedelta(minutes=5)


async def audit(shop: Shop, *, repair: bool = False) -> dict[str, Any]:
    """Run an audit now through the admin route; the run with its differences."""
    since, until = period()
    body = {"since": since.isoformat(), "until": until.isoformat(), "repair": repair}
    r = await shop.http.post(ADMIN.format(shop.slug), json=body, headers=auth(shop.slug, "admin"))
    assert r.status_code == 201, r.text
    await drain(shop.runtime)
    return dict(r.json())


def open_kinds(run: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((d["kind"], d["stripe_object"]) for d in run["differences"] if d["status"] == "open")


async def pay_payg(shop: Shop, count: int = 300, customer: str = "cust-1") -> dict[str, Any]:
    r = await shop.http.post(
        shop.url(f"/customers/{customer}/credit-purchases"),
        json={"credits": count, "currency": "usd"},
        headers=auth(shop.slug),
    )
    assert r.status_code == 201, r.text
    purchase = dict(r.json())
    await shop.stripe.v1.payment_intents.confirm_async(
        purchase["payment_intent_id"], params={"payment_method": "pm_card_visa"}
    )
    return purchase


async def grants(shop: Shop) -> int:
    async with shop.runtime.sessions() as session:
        statement = select(func.count()).select_from(CreditGrant).where(CreditGrant.tenant_id == shop.slug)
        return int((await session.execute(statement)).scalar_one())


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_everything_delivered_is_clean(shop: Shop) -> None:
    await shop.buy("standard")
    await pay_payg(shop)
    await shop.forward()
    run = await audit(shop)
    assert (run["status"], run["open_differences"], run["differences"]) == ("clean", 0, [])
    assert run["objects"]["checkout_sessions"] == 1
    assert run["objects"]["payment_intents"] == 2
    listed = (await shop.http.get(ADMIN.format("alpha"), headers=auth("alpha", "admin"))).json()
    assert [r["id"] for r in listed["data"]] == [run["id"]]


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_an_event_never_delivered_is_reported_then_repaired_once(shop: Shop) -> None:
    order = await shop.order("standard")
    await shop.control.complete_checkout(shop.key, order["checkout_session_id"])
    purchase = await pay_payg(shop)
    await shop.new_events()  # Stripe's deliveries are lost: nothing reaches the inbox
    assert await shop.balance() == 0

    run = await audit(shop)
    assert open_kinds(run) == sorted(
        [("paid_not_granted", order["checkout_session_id"]), ("paid_not_granted", purchase["payment_intent_id"])]
    )
    assert await shop.balance() == 0, "an audit without repair changes nothing"
    [notice] = await shop.notices("money_audit.differences")
    assert (notice["run"], notice["kinds"]) == (run["id"], {"paid_not_granted": 2})

    repaired = await audit(shop, repair=True)
    assert repaired["open_differences"] == 0
    assert sorted(d["status"] for d in repaired["differences"]) == ["repaired", "repaired"]
    assert await shop.balance() == 1100 + 300
    async with shop.runtime.sessions() as session:
        sources = (await session.execute(select(WebhookEvent.source, WebhookEvent.status))).all()
    assert sorted(sources) == [("backfill", "processed"), ("backfill", "processed")]

    again = await audit(shop, repair=True)
    assert (again["status"], again["differences"]) == ("clean", [])
    assert await shop.balance() == 1400, "a second repair changes nothing"
    assert await grants(shop) == 2


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_grant_lost_behind_the_ledgers_back_is_reported_and_not_reinvented(shop: Shop) -> None:
    await pay_payg(shop)
    await shop.forward()
    async with shop.runtime.sessions() as session, session.begin():
        grant_id = (await session.execute(select(CreditGrant.id).where(CreditGrant.tenant_id == "alpha"))).scalar_one()
        entries = select(CreditAllocation.entry_id).where(CreditAllocation.grant_id == grant_id)
        entry_ids = list((await session.execute(entries)).scalars())
        await session.execute(delete(CreditAllocation).where(CreditAllocation.grant_id == grant_id))
        await session.execute(delete(LedgerEntry).where(LedgerEntry.id.in_(entry_ids)))
        await session.execute(delete(LedgerEntry).where(LedgerEntry.reference == str(grant_id)))
        await session.execute(delete(CreditGrant).where(CreditGrant.id == grant_id))

    for repair in (False, True):
        run = await audit(shop, repair=repair)
        [difference] = run["differences"]
        assert (difference["kind"], difference["status"]) == ("paid_not_granted", "open")
    assert "a person must look" in difference["repair_note"]
    assert await grants(shop) == 0, "the repair invents no credits"


async def test_a_refund_with_no_clawback_is_reported(shop: Shop) -> None:
    order = await shop.buy("standard")
    intent = order["payments"][-1]["payment_intent_id"]
    await shop.stripe.v1.refunds.create_async({"payment_intent": intent})
    await shop.new_events()  # charge.refunded never arrives
    run = await audit(shop)
    [difference] = run["differences"]
    assert (difference["kind"], difference["customer"], difference["status"]) == (
        "refund_not_clawed_back",
        "cust-1",
        "open",
    )
    repaired = await audit(shop, repair=True)
    assert repaired["open_differences"] == 0
    assert await shop.balance() == 0, "the stored charge.refunded clawed the credits back"


async def test_tenants_are_audited_apart_and_the_cli_exits_non_zero_on_differences(
    shop: Shop, fiko: Shop, make_runtime: Any
) -> None:
    await fiko.buy("tokens-1k", currency="usd")
    order = await shop.order("standard")
    await shop.control.complete_checkout(shop.key, order["checkout_session_id"])
    await shop.new_events()

    beta = await audit(fiko)
    assert (beta["status"], beta["objects"]["checkout_sessions"]) == ("clean", 1)
    since, until = period()
    args = [
        "audit",
        "stripe",
        "alpha",
        "--since",
        f"{since:%Y-%m-%dT%H:%M:%S}",
        "--until",
        f"{until:%Y-%m-%dT%H:%M:%S}",
    ]
    result = await asyncio.to_thread(CliRunner().invoke, main, args, obj=make_runtime())
    assert result.exit_code == 1, result.output
    assert "1 open, 0 repaired" in result.output
    assert (await audit(fiko))["differences"] == []
    runs = (await fiko.http.get(ADMIN.format("beta"), headers=auth("beta", "admin"))).json()["data"]
    assert len(runs) == 2, "alpha's run is not beta's"
    r = await fiko.http.get(ADMIN.format("beta") + f"/{(await audit(shop))['id']}", headers=auth("beta", "admin"))
    assert r.status_code == 404


async def test_an_order_whose_terms_disagree_with_stripe_and_its_grant_is_reported(shop: Shop) -> None:
    """The order keeps the terms it was sold under (the configuration at the time): a grant or a payment
    that disagrees with them is a difference, whatever the package's configuration says today."""

    order = await shop.buy("standard")
    async with shop.runtime.sessions() as session:
        row = await session.get(Order, uuid.UUID(order["id"]))
        assert row is not None
        row.credits += 50  # sold for more credits than were granted
        row.amount += 100  # and for more money than Stripe took
        await session.commit()

    run = await audit(shop)

    kinds = [kind for kind, _ in open_kinds(run)]
    assert sorted(kinds) == ["amount_mismatch", "credits_mismatch"], run["differences"]
    before = await grants(shop)
    await audit(shop, repair=True)
    assert await grants(shop) == before, "a disagreement is for a person: nothing granted"
