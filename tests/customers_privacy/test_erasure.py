"""Erasing a customer (`DELETE /customers/{id}`): nothing of its email or app id is left in any table or stored
payload, once Stripe's events about the deletion have come in too; every figure and ledger invariant holds;
the Stripe customer is gone; a repeat answers the same; the id can be registered again; nobody else changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select

from core import clock
from core.audit_trail.models import AuditRecord
from core.customers.models import Customer
from core.inbox.models import WebhookEvent
from plugins.subscriptions.models import Subscription
from tests.customers_privacy.conftest import (
    CUSTOMER,
    EMAIL,
    OTHER,
    OTHER_EMAIL,
    figures,
    ledger_activity,
    mentions,
    metrics,
    register,
    shopper,
)
from tests.recovery.conftest import Store
from tests.support.ledger import assert_ledger_verified
from tests.support.tenants import auth

BOTH = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)


async def erase(store: Store, customer: str, expect: int = 200, **params: Any) -> Any:
    r = await store.http.delete(f"/t/alpha/v1/customers/{customer}", params=params, headers=auth("alpha", "admin"))
    assert r.status_code == expect, r.text
    return r.json()


async def stripe_customer_of(store: Store, customer: str) -> str:
    return str((await store.call("GET", f"/customers/{customer}"))["stripe_customer_id"])


async def erase_records(store: Store) -> list[AuditRecord]:
    async with store.runtime.sessions() as session:
        statement = select(AuditRecord).where(AuditRecord.action == "customer.erase")
        return list((await session.execute(statement)).scalars())


@BOTH
async def test_an_erased_customer_leaves_no_personal_data_and_every_figure_holds(store: Store) -> None:
    started = clock.now() - dt.timedelta(hours=1)
    await shopper(store, CUSTOMER, EMAIL)
    await shopper(store, OTHER, OTHER_EMAIL, subscribe=False)
    await register(store, CUSTOMER, EMAIL, tenant="beta")
    await ledger_activity(store, CUSTOMER, EMAIL, tenant="beta")
    stripe_id = await stripe_customer_of(store, CUSTOMER)
    # The plan ends first (as its own route ends it), so the figures compare the erasure alone.
    await store.call("DELETE", f"/customers/{CUSTOMER}/subscription", params={"at_period_end": "false"})
    await store.settle()
    before = await figures(store)
    window = ((clock.now() - dt.timedelta(days=3)).isoformat(), (clock.now() + dt.timedelta(days=3)).isoformat())
    metrics_before = await metrics(store, *window)
    assert metrics_before["credits"]["totals"]["granted"] > 0 and metrics_before["revenue"], "figures to compare"
    other_before = await store.call("GET", f"/customers/{OTHER}/balance")
    beta_before = await store.http.get(f"/t/beta/v1/customers/{CUSTOMER}/balance", headers=auth("beta"))
    assert (await mentions(store.runtime, EMAIL, CUSTOMER)) != [], "the test data names the customer"

    erased = await erase(store, CUSTOMER)
    await store.settle()  # the erasure's task deletes the Stripe customer...
    await store.settle()  # ...and Stripe's `customer.deleted` comes in

    assert erased["customer"].startswith("erased_") and erased["stripe_customer_deletion"] == "requested"
    assert {"customers", "credit_accounts", "ledger_entries", "webhook_events", "subscriptions"} <= set(erased["rows"])
    deleted = await store.emulator.stripe_client(store.key).v1.customers.retrieve_async(stripe_id)
    assert deleted.to_dict().get("deleted") is True, "the Stripe customer is deleted on the tenant's account"
    async with store.runtime.sessions() as session:
        statement = select(WebhookEvent).where(WebhookEvent.event_type == "customer.deleted")
        assert (await session.execute(statement)).scalars().all(), "Stripe told us of the deletion"
    # beta's customer of the same id is another tenant's, and keeps everything.
    async with store.runtime.sessions() as session:
        kept = (await session.execute(select(Customer).where(Customer.external_id == CUSTOMER))).scalars().all()
    assert [(c.tenant_id, c.email) for c in kept] == [("beta", EMAIL)]
    assert await mentions_outside_beta(store) == [], "nothing of alpha's erased customer is left anywhere"

    after = await figures(store)
    # Stripe's `customer.deleted` is one more event received: the only figure an erasure moves.
    assert after["figures"].pop("core.inbox") != before["figures"].pop("core.inbox")
    assert after == before, "every figure holds"
    assert await metrics(store, *window) == metrics_before, "and so does every metric (MRR, revenue, credits)"
    await assert_ledger_verified(store.runtime)
    audit = await store.audit(started)
    assert (audit["status"], audit["differences"]) == ("clean", []), "Stripe's money is still all explained"
    assert await store.call("GET", f"/customers/{OTHER}/balance") == other_before
    beta_after = await store.http.get(f"/t/beta/v1/customers/{CUSTOMER}/balance", headers=auth("beta"))
    assert beta_after.json() == beta_before.json()
    assert len(await erase_records(store)) == 1

    again = await erase(store, CUSTOMER)
    assert again == erased, "a repeat answers the same"
    assert await erase(store, erased["customer"]) == erased, "and so does one naming the pseudonym"
    assert len(await erase_records(store)) == 1

    created = await store.http.put(f"/t/alpha/v1/customers/{CUSTOMER}", json={}, headers=auth("alpha"))
    assert created.status_code == 201, created.text
    assert created.json()["email"] is None and created.json()["stripe_customer_id"] is None
    assert (await store.call("GET", f"/customers/{CUSTOMER}/balance"))["balance"] == 0
    await assert_ledger_verified(store.runtime)


async def mentions_outside_beta(store: Store) -> list[tuple[str, str]]:
    """Values naming the erased customer's email or id in any table, beta's rows left out."""
    from core.db import metadata

    found: list[tuple[str, str]] = []
    async with store.runtime.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in (await connection.execute(select(table))).mappings().all():
                if row.get("tenant_id") == "beta":
                    continue
                for value in row.values():
                    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
                    found += [(table.name, n) for n in (EMAIL, CUSTOMER) if n.lower() in text.lower()]
    return sorted(set(found))


@BOTH
async def test_an_active_subscription_is_refused_then_canceled_with_cancel_true(store: Store) -> None:
    await register(store, CUSTOMER, EMAIL)
    sub_id = await store.subscribe(CUSTOMER)
    shown = await store.call("GET", f"/customers/{CUSTOMER}")

    r = await store.http.delete(f"/t/alpha/v1/customers/{CUSTOMER}", headers=auth("alpha", "admin"))
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "subscription_active"
    assert await store.call("GET", f"/customers/{CUSTOMER}") == shown, "nothing changed"
    assert (await store.call("GET", f"/customers/{CUSTOMER}/subscription"))["status"] == "active"
    assert await erase_records(store) == []

    keyed = {**auth("alpha", "admin"), "Idempotency-Key": "erase-1"}
    r = await store.http.delete(f"/t/alpha/v1/customers/{CUSTOMER}", params={"cancel": "true"}, headers=keyed)
    assert r.status_code == 200, r.text
    assert r.json()["settled"] == {"subscriptions": {"canceled": [sub_id]}}
    replay = await store.http.delete(f"/t/alpha/v1/customers/{CUSTOMER}", params={"cancel": "true"}, headers=keyed)
    assert replay.json() == r.json()
    await store.settle()
    await store.settle()

    stripe_sub = await store.emulator.stripe_client(store.key).v1.subscriptions.retrieve_async(sub_id)
    assert stripe_sub.status == "canceled"
    async with store.runtime.sessions() as session:
        row = (await session.execute(select(Subscription))).scalar_one()
    assert (row.status, row.customer) == ("canceled", r.json()["customer"])
    assert await mentions(store.runtime, EMAIL, CUSTOMER) == []
    await assert_ledger_verified(store.runtime)


async def test_an_unknown_customer_is_not_found(store: Store) -> None:
    r = await store.http.delete("/t/alpha/v1/customers/nobody-7f3a", headers=auth("alpha", "admin"))
    assert r.status_code == 404, r.text
    assert r.json()["error"]["code"] == "customer_not_found"
    service = await store.http.delete(f"/t/alpha/v1/customers/{OTHER}", headers=auth("alpha"))
    assert service.status_code == 403, "admin keys only"
