"""Where each table keeps a customer's data: the declarations that export and erasure walk.

Every plugin (the kernel's parts among them) declares its tables through `tollgate_customer_tables`;
`core.customers.export` and `core.customers.erasure` read and rewrite them all the same way, so no
table has export or erasure code of its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, LargeBinary, String, false, or_
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.customers.models import Customer

# What an erasure does with a table's rows of the customer: rewrite them pseudonymous, delete them
# (copies of answers nobody needs once the customer is gone), or leave them (append-only records that
# name the customer only by its row id).
Erase = Literal["pseudonymize", "delete", "keep"]

TOMBSTONE = "[erased]"
# Characters of an app's customer id (`core.customers.services.CUSTOMER_ID`) but ':', which references
# use as a separator (`<customer>:<yyyy-mm>`): an id is embedded in a text only between other characters.
_ID_CHARS = r"A-Za-z0-9_.@|+\-"


@dataclass(frozen=True)
class CustomerTable:
    """How one table holds a customer's data. Columns are named by their model attributes.

    `rows(customer)` is the where-clause of the customer's rows (the kernel adds the tenant's scope); it
    may match more than the customer's when `documents` are given, since rows whose documents turn out
    not to mention the customer are left out.
    """

    model: Any
    rows: Callable[[Customer], ColumnElement[bool]]
    # Columns holding the app's customer id: the pseudonym takes its place.
    customer_ids: tuple[str, ...] = ()
    # References that may carry the app's id as a `:`-separated part (`<customer>:2026-12`).
    embedded: tuple[str, ...] = ()
    # Keys the app chose (idempotency keys): the app's id anywhere between non-alphanumerics (`spend-<id>-1`).
    keys: tuple[str, ...] = ()
    # Personal fields (email, name): set to None.
    personal: tuple[str, ...] = ()
    # Free text the customer or the app wrote (reasons, failure messages): the tombstone `[erased]`.
    texts: tuple[str, ...] = ()
    # Metadata the app attached: emptied.
    metadata: tuple[str, ...] = ()
    # JSON documents (a JSON column, or JSON as text or bytes) that may mention the customer: scrubbed.
    documents: tuple[str, ...] = ()
    erase: Erase = "pseudonymize"
    export: bool = True

    @property
    def name(self) -> str:
        return str(self.model.__tablename__)


def collect_tables(declared: Iterable[tuple[str, Iterable[CustomerTable] | None]]) -> list[CustomerTable]:
    """Every plugin's declarations in one list; a table declared twice is an error (who owns it?)."""
    tables: dict[str, CustomerTable] = {}
    for plugin, given in declared:
        for table in given or ():
            if not isinstance(table, CustomerTable):
                raise TypeError(f"plugin {plugin!r} declares {table!r}, not a CustomerTable")
            if table.name in tables:
                raise ValueError(f"table {table.name!r} is declared twice (plugin {plugin!r})")
            tables[table.name] = table
    return list(tables.values())


def customer_tables(plugins: Any) -> list[CustomerTable]:
    """The tables every loaded plugin declares (`tollgate_customer_tables`), the kernel's among them."""
    return collect_tables(plugins.results_by_plugin("tollgate_customer_tables"))


class as_text(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """A text, JSON or bytes column read as text, so LIKE can look into it (bytes as UTF-8)."""

    type = String()
    inherit_cache = True


@compiles(as_text)
def _as_text(element: as_text, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"CAST({compiler.process(column, **kw)} AS TEXT)"


@compiles(as_text, "postgresql")
def _as_text_postgresql(element: as_text, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    if isinstance(column.type, LargeBinary):
        return f"convert_from({compiler.process(column, **kw)}, 'UTF8')"
    return f"CAST({compiler.process(column, **kw)} AS TEXT)"


def mentioning(*columns: Any, customer: Customer) -> ColumnElement[bool]:
    """Rows whose text (JSON or bytes read as text) contains the customer's Stripe id, email or app id:
    candidates that `Identity.mentioned_in` then confirms. A scan of the tenant's rows: erasures are rare."""
    needles = [n for n in (customer.stripe_customer_id, customer.email, customer.external_id) if n]
    clauses = [as_text(column).contains(needle, autoescape=True) for column in columns for needle in needles]
    return or_(*clauses) if clauses else false()


@dataclass(frozen=True)
class Identity:
    """What names one customer before its erasure: the app's id, the email, the Stripe customer."""

    external_id: str
    email: str | None
    stripe_customer_id: str | None

    @classmethod
    def of(cls, customer: Customer) -> Identity:
        return cls(customer.external_id, customer.email, customer.stripe_customer_id)

    def embedded(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![{_ID_CHARS}]){re.escape(self.external_id)}(?![{_ID_CHARS}])")

    def in_keys(self) -> re.Pattern[str]:
        return re.compile(rf"(?<![A-Za-z0-9]){re.escape(self.external_id)}(?![A-Za-z0-9])")

    def mentioned_in(self, document: Any) -> bool:
        """Whether a JSON document names the customer: a string equal to its Stripe id or app id, or that
        holds its email or its app id (as a reference's part)."""
        pattern = self.embedded()
        for text in strings_of(document):
            if text == self.stripe_customer_id or (self.email and self.email in text) or pattern.search(text):
                return True
        return False


def strings_of(document: Any) -> Iterator[str]:
    """Every string in a JSON document, keys left out."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for value in document.values():
            yield from strings_of(value)
    elif isinstance(document, list):
        for value in document:
            yield from strings_of(value)


TABLES_KEY = "customers.tables"


def tables_of(runtime: Any) -> list[CustomerTable]:
    """The declared tables, collected once per process (`runtime.state`)."""
    tables: list[CustomerTable] | None = runtime.state.get(TABLES_KEY)
    if tables is None:
        tables = runtime.state[TABLES_KEY] = customer_tables(runtime.plugins)
    return tables
