"""What a plugin contributes to `GET /customers/{customer_id}/payments` through `tollgate_customer_payments`.

A plugin hands over SQL, as for the metrics' revenue (`core.analytics.parts`): the kernel puts every plugin's
rows in one `UNION ALL`, newest first, and pages it. A payment row is a revenue row (`customer_id`, `currency`,
`at`, `amount` in minor units and positive, `kind` = `payment` | `refund` | `dispute`, `stream`) with what the
customer sees beside it: `id` (the Stripe object's id, or the plugin's row id when Stripe has none; unique in the
timeline), `status`, `reference` (the invoice, order or purchase it belongs to), `description` and
`receipt_url`. Each statement must already be scoped to the tenant (`core.db.scoped`) and to the customer.
"""

from __future__ import annotations

from typing import Any

from advanced_alchemy.types import GUID
from sqlalchemy import Select, String, Uuid, cast
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from core.analytics.parts import revenue_rows

KINDS = ("payment", "refund", "dispute")


class uuid_text(FunctionElement[str]):  # noqa: N801 - used like a SQL function
    """A UUID column as its canonical text (`0190…-…`), on PostgreSQL and on SQLite (where it is 16 bytes)."""

    type = String()
    inherit_cache = True


@compiles(uuid_text)
def _uuid_text(element: uuid_text, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    hexed = f"lower(hex({compiler.process(column, **kw)}))"
    parts = [f"substr({hexed}, {start}, {length})" for start, length in ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))]
    return " || '-' || ".join(parts)


@compiles(uuid_text, "postgresql")
def _uuid_text_postgresql(element: uuid_text, compiler: Any, **kw: Any) -> str:
    (column,) = list(element.clauses)
    return f"CAST({compiler.process(column, **kw)} AS TEXT)"


def _text(column: Any) -> Any:
    """`column` as text: a UUID in its canonical form whatever the database, anything else cast."""
    if isinstance(getattr(column, "type", None), (GUID, Uuid)):
        return uuid_text(column)
    return cast(column, String)


def payment_rows(
    *,
    customer_id: Any,
    currency: Any,
    at: Any,
    amount: Any,
    kind: str,
    stream: str,
    id: Any,  # noqa: A002 - the column's name
    status: Any,
    reference: Any,
    description: Any,
    receipt_url: Any,
) -> Select[Any]:
    """A `payments` statement's columns, labelled: the revenue row's, then the timeline's own."""
    return revenue_rows(
        customer_id=customer_id, currency=currency, at=at, amount=amount, kind=kind, stream=stream
    ).add_columns(
        _text(id).label("id"),
        _text(status).label("status"),
        _text(reference).label("reference"),
        _text(description).label("description"),
        _text(receipt_url).label("receipt_url"),
    )
