"""Exporting a customer (`GET /customers/{id}/export`, `tollgate customers export`): every table's rows of the
customer, as JSON or a ZIP of one file per table, and nothing of another customer or another tenant."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from core.cli import main
from core.customers.models import Customer
from core.customers.tables import tables_of
from core.db import metadata
from tests.customers_privacy.conftest import (
    CUSTOMER,
    EMAIL,
    OTHER,
    OTHER_EMAIL,
    ledger_activity,
    register,
    shopper,
)
from tests.recovery.conftest import Store
from tests.support.tenants import auth

BOTH = pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
# Every table an export of a customer with some of everything must hold rows of.
EXPECTED = {
    "customers",
    "credit_accounts",
    "credit_grants",
    "ledger_entries",
    "credit_allocations",
    "credit_holds",
    "notifications",
    "webhook_events",
    "audit_records",
    "payg_credit_purchases",
    "token_package_orders",
    "token_package_payments",
    "token_package_refunds",
    "subscriptions",
    "subscription_checkouts",
    "subscription_allowances",
}


async def exported(store: Store, customer: str, **params: Any) -> Any:
    r = await store.http.get(f"/t/alpha/v1/customers/{customer}/export", params=params, headers=auth("alpha", "admin"))
    assert r.status_code == 200, r.text
    return r


async def customer_row_ids(store: Store) -> dict[str, set[str]]:
    """Independently of the declarations: each table's ids of rows whose customer column names CUSTOMER."""
    async with store.runtime.sessions() as session:
        row = (
            await session.execute(
                select(Customer).where(Customer.tenant_id == "alpha", Customer.external_id == CUSTOMER)
            )
        ).scalar_one()
        found: dict[str, set[str]] = {}
        for table in metadata.sorted_tables:
            columns = table.c
            if "tenant_id" not in columns:
                continue
            conditions = []
            if "customer_id" in columns:
                conditions.append(columns.customer_id == row.id)
            if "customer" in columns:
                conditions.append(columns.customer == CUSTOMER)
            for condition in conditions:
                statement = select(columns.id).where(columns.tenant_id == "alpha", condition)
                ids = {str(i) for i in (await session.execute(statement)).scalars()}
                if ids:
                    found.setdefault(table.name, set()).update(ids)
    return found


@BOTH
async def test_an_export_holds_every_table_of_the_customer_and_nobody_else(store: Store) -> None:
    await shopper(store, CUSTOMER, EMAIL)
    await shopper(store, OTHER, OTHER_EMAIL)
    await register(store, CUSTOMER, EMAIL, tenant="beta")
    await ledger_activity(store, CUSTOMER, EMAIL, tenant="beta")

    document = (await exported(store, CUSTOMER)).json()

    assert (document["tenant"], document["customer"]["id"], document["customer"]["email"]) == ("alpha", CUSTOMER, EMAIL)
    tables = document["tables"]
    assert {name for name, rows in tables.items() if rows} >= EXPECTED, "every table holds the customer's rows"
    for name, ids in (await customer_row_ids(store)).items():
        assert {str(row["id"]) for row in tables[name]} == ids, f"{name}: exactly the customer's rows"
    assert {row["tenant_id"] for rows in tables.values() for row in rows} == {"alpha"}, "nothing of beta"
    text = json.dumps(document)
    assert OTHER not in text and OTHER_EMAIL not in text, "nothing of the other customer"
    assert any(row["payload"]["type"] == "customer.created" for row in tables["webhook_events"]), "events as JSON"

    archive = zipfile.ZipFile(io.BytesIO((await exported(store, CUSTOMER, format="zip")).content))
    assert set(archive.namelist()) == {"customer.json"} | {f"{name}.json" for name in tables}
    for name, rows in tables.items():
        assert [r["id"] for r in json.loads(archive.read(f"{name}.json"))] == [r["id"] for r in rows]


async def test_the_cli_writes_the_same_export(store: Store, make_runtime: Any, tmp_path: Path) -> None:
    await register(store, CUSTOMER, EMAIL)
    await ledger_activity(store, CUSTOMER, EMAIL)
    target = tmp_path / "export.json"
    cli = await asyncio.to_thread(
        CliRunner().invoke,
        main,
        ["customers", "export", "alpha", CUSTOMER, "--output", str(target)],
        obj=make_runtime(),
    )
    assert cli.exit_code == 0, cli.output
    written = msgspec.json.decode(target.read_bytes())
    shown = (await exported(store, CUSTOMER)).json()
    assert {name: [r["id"] for r in rows] for name, rows in written["tables"].items()} == {
        name: [r["id"] for r in rows] for name, rows in shown["tables"].items()
    }
    assert "rows of" in cli.output
    missing = tmp_path / "nobody.json"
    cli = await asyncio.to_thread(
        CliRunner().invoke, main, ["customers", "export", "alpha", "nobody", "-o", str(missing)], obj=make_runtime()
    )
    assert (cli.exit_code, missing.exists()) == (1, False), cli.output
    assert "customer_not_found" in cli.output


def test_every_table_naming_a_customer_is_declared(runtime: Any) -> None:
    """A table with a customer column that no plugin declares would be left out of exports and erasures."""
    declared = {table.name for table in tables_of(runtime)}
    naming = {
        table.name
        for table in metadata.sorted_tables
        if {"customer", "customer_id", "customer_row_id"} & set(table.c.keys())
    }
    assert naming - declared == set()
    assert all(inspect(table.model).mapped_table.name == table.name for table in tables_of(runtime))


async def test_a_zip_export_leaves_no_transaction_open(store: Store) -> None:
    """The ZIP is streamed after the handler returns, when the request's session is already closed: reading
    the tables then would open a transaction nobody ends, holding locks that stop TRUNCATE and migrations
    (found by the fuzz run, which then hung the next test's cleanup)."""
    await register(store, CUSTOMER, EMAIL)
    await ledger_activity(store, CUSTOMER, EMAIL)
    archive = zipfile.ZipFile(io.BytesIO((await exported(store, CUSTOMER, format="zip")).content))
    assert "credit_accounts.json" in archive.namelist()
    async with store.runtime.engine.connect() as connection:
        statement = text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
        )
        assert (await connection.execute(statement)).scalar_one() == 0, "a session left its transaction open"
