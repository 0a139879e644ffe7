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

from sqlalchemy import Select, String, cast

from core.analytics.parts import revenue_rows

KINDS = ("payment", "refund", "dispute")


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
        cast(id, String).label("id"),
        cast(status, String).label("status"),
        cast(reference, String).label("reference"),
        cast(description, String).label("description"),
        cast(receipt_url, String).label("receipt_url"),
    )
