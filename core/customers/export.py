"""Exporting everything Tollgate holds on a customer (GDPR articles 15 and 20), from the declared tables.

One JSON document (`CustomerExport`), or a ZIP of one JSON file per table written table by table as it
is read (`zip_export`), for customers with long histories. Both read every table a plugin declares
through `tollgate_customer_tables` the same way, with the erasure's own row finder (`rows_of`).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import msgspec
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from core import clock
from core.customers import schemas
from core.customers.erasure import decoded_document, rows_of
from core.customers.models import Customer
from core.customers.services import CustomerService, to_schema
from core.customers.tables import CustomerTable
from tenants.registry import Tenant

# A JSON export of more rows than this is answered as a ZIP instead (one file per table).
JSON_MAX_ROWS = 10_000
ZIP_MEDIA_TYPE = "application/zip"

OnTable = Callable[[str, int], None]


def row_values(row: Any, table: CustomerTable) -> dict[str, Any]:
    """A row as stored, by column name; stored JSON documents (event payloads, answers) parsed."""
    values: dict[str, Any] = {}
    for attribute in inspect(type(row)).column_attrs:
        column = attribute.columns[0].name
        if column == "sa_orm_sentinel":
            continue
        value = getattr(row, attribute.key)
        values[column] = decoded_document(value) if attribute.key in table.documents else value
    return values


class CustomerExporter:
    """One tenant's customer exports, read in the caller's session."""

    def __init__(self, session: AsyncSession, tenant: Tenant, tables: Sequence[CustomerTable]) -> None:
        self.session = session
        self.tenant = tenant
        self.tables = [table for table in tables if table.export]

    async def customer(self, external_id: str) -> Customer:
        return await CustomerService(self.session, self.tenant).get(external_id)

    async def tables_of(
        self, customer: Customer, on_table: OnTable | None = None
    ) -> AsyncIterator[tuple[str, list[Any]]]:
        """Each declared table's rows of the customer, table by table."""
        for table in self.tables:
            rows = await rows_of(self.session, self.tenant.slug, table, customer)
            if on_table is not None:
                on_table(table.name, len(rows))
            yield table.name, [row_values(row, table) for row in rows]

    async def document(self, external_id: str, on_table: OnTable | None = None) -> schemas.CustomerExport:
        customer = await self.customer(external_id)
        tables = {name: rows async for name, rows in self.tables_of(customer, on_table)}
        return schemas.CustomerExport(
            tenant=self.tenant.slug, customer=to_schema(customer), exported_at=clock.now(), tables=tables
        )

    async def zip_chunks(self, customer: Customer, on_table: OnTable | None = None) -> AsyncIterator[bytes]:
        """The export as a ZIP, yielded as each table is read and written."""
        profile = {"tenant": self.tenant.slug, "customer": to_schema(customer), "exported_at": clock.now()}
        async for chunk in zip_stream(profile, self.tables_of(customer, on_table)):
            yield chunk


async def zip_stream(profile: dict[str, Any], tables: AsyncIterator[tuple[str, list[Any]]]) -> AsyncIterator[bytes]:
    """`customer.json` (the profile), then `<table>.json` per table, yielded as the ZIP is written."""
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customer.json", msgspec.json.encode(profile))
        yield sink.take()
        async for name, rows in tables:
            archive.writestr(f"{name}.json", msgspec.json.encode(rows))
            yield sink.take()
    yield sink.take()


async def zip_of(document: schemas.CustomerExport) -> AsyncIterator[bytes]:
    """An export already read, as a ZIP (a JSON export that turned out too large)."""

    async def tables() -> AsyncIterator[tuple[str, list[Any]]]:
        for item in document.tables.items():
            yield item

    profile = {"tenant": document.tenant, "customer": document.customer, "exported_at": document.exported_at}
    async for chunk in zip_stream(profile, tables()):
        yield chunk


def row_count(document: schemas.CustomerExport) -> int:
    return sum(len(rows) for rows in document.tables.values())


class _Chunks(io.RawIOBase):
    """A write-only stream that hands over what was written since the last `take` (ZIP streams it)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken = b"".join(self._chunks)
        self._chunks.clear()
        return taken
