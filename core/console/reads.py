"""The console's own reads: customer search, a customer's holds and plugin rows, a table's latest rows.

Every query starts from `core.db.scoped`. What a plugin holds is found through the `tollgate_models`
hook (tables with a `customer_id`, or one table by name), never by importing the plugin.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from core.cursors import uuid_position
from core.customers.models import Customer
from core.db import TenantOwned, attribute_columns, scoped
from core.ledger.models import CreditAccount, CreditHold
from core.lists import Page, PageRequest
from core.plugins import Plugins, is_kernel
from tenants.registry import Tenant

# Columns a generic table leaves out: ids the page already shows or nobody reads (advanced-alchemy's
# `sa_orm_sentinel`, links between the ledger's own rows), and bodies too long for a cell.
HIDDEN_COLUMNS = {
    *("tenant_id", "customer_id", "account_id", "entry_id", "sa_orm_sentinel", "updated_at"),
    *("payload", "metadata", "data", "problems", "raw"),
}
MAX_CELL = 120


@dataclass(frozen=True)
class Table:
    """Rows of one table as the console shows them: a title, column names and display strings."""

    title: str
    columns: list[str]
    rows: list[list[str]]


async def search_customers(session: AsyncSession, tenant: Tenant, query: str, page: PageRequest) -> Page[Customer]:
    """A page of customers whose app id or email contains `query` (case-insensitive), newest first; all when
    the query is empty."""
    statement: Select[tuple[Customer]] = scoped(select(Customer), Customer, tenant.slug)
    if query:
        pattern = f"%{query.lower()}%"
        statement = statement.where(
            or_(func.lower(Customer.external_id).like(pattern), func.lower(Customer.email).like(pattern))
        )
    return await _newest_first(session, statement, Customer, page, "console_customers")


async def _newest_first(
    session: AsyncSession, statement: Select[tuple[Any]], model: Any, page: PageRequest, kind: str
) -> Page[Any]:
    """One page of `statement`'s rows, newest first, after the page's cursor: ids are UUIDv7 (time-ordered),
    so the last row's id is the cursor, as the API's lists of Stripe events and sync runs do."""
    row_id = model.__table__.c.id
    after = page.position(kind, uuid_position)
    if after is not None:
        statement = statement.where(row_id < after)
    rows = (await session.scalars(statement.order_by(row_id.desc()).limit(page.fetch))).all()
    return page.page(rows, kind, lambda row: row.id, rows)


async def find_customer(session: AsyncSession, tenant: Tenant, external_id: str) -> Customer | None:
    statement = scoped(select(Customer), Customer, tenant.slug).where(Customer.external_id == external_id)
    return (await session.scalars(statement)).first()


async def holds_of(session: AsyncSession, tenant: Tenant, customer: Customer, limit: int = 50) -> Table:
    """The customer's holds, newest first, every status."""
    statement = (
        scoped(select(CreditHold), CreditHold, tenant.slug)
        .join(CreditAccount, CreditAccount.id == CreditHold.account_id)
        .where(CreditAccount.customer_id == customer.id)
        .order_by(CreditHold.created_at.desc())
        .limit(limit)
    )
    return as_table("Holds", CreditHold, (await session.scalars(statement)).all())


def tenant_models(plugins: Plugins, tenant: Tenant) -> list[tuple[str, type[TenantOwned]]]:
    """(plugin, model) for every tenant-owned table of the kernel and of the plugins the tenant enables."""
    found: list[tuple[str, type[TenantOwned]]] = []
    for plugin, models in plugins.results_by_plugin("tollgate_models"):
        if is_kernel(plugin) or tenant.enabled(plugin):
            found.extend((plugin, model) for model in models or () if issubclass(model, TenantOwned))
    return found


async def plugin_rows_of(
    session: AsyncSession, plugins: Plugins, tenant: Tenant, customer: Customer, limit: int = 20
) -> list[Table]:
    """Each enabled plugin's rows about the customer (subscriptions, orders, purchases), newest first."""
    tables = []
    for plugin, model in tenant_models(plugins, tenant):
        if is_kernel(plugin) or "customer_id" not in model.__table__.columns:
            continue
        statement = scoped(select(model), model, tenant.slug).where(model.__table__.c.customer_id == customer.id)
        rows = (await session.scalars(statement.order_by(model.__table__.c.created_at.desc()).limit(limit))).all()
        tables.append(as_table(f"{plugin}: {model.__tablename__}", model, rows))
    return tables


async def latest_rows(
    session: AsyncSession, plugins: Plugins, tenant: Tenant, table_name: str, page: PageRequest
) -> tuple[Table, str | None] | None:
    """A page of one tenant-owned table's rows by its name, newest first, and the next page's cursor; None
    when no enabled plugin has the table."""
    for _, model in tenant_models(plugins, tenant):
        if model.__tablename__ == table_name:
            statement = scoped(select(model), model, tenant.slug)
            found = await _newest_first(session, statement, model, page, f"console_{table_name}")
            return as_table(table_name, model, found.data), found.next_cursor
    return None


def as_table(title: str, model: type[DeclarativeBase], rows: Sequence[Any]) -> Table:
    columns = [c.key for c in model.__table__.columns if c.key not in HIDDEN_COLUMNS]
    attributes = {c.key: attribute for attribute, c in attribute_columns(model)}
    return Table(
        title=title,
        columns=columns,
        rows=[[show(getattr(row, attributes.get(c, c))) for c in columns] for row in rows],
    )


def show(value: Any) -> str:
    """A cell: times in UTC to the second, enums by value, nothing as an empty cell, long text cut."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    text = str(value)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"
