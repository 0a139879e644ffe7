"""What a plugin contributes to `GET /admin/metrics` through `tollgate_admin_figures(..., series=<Series>)`.

A plugin hands over SQL, not numbers, wherever figures must be combined across plugins (paying customers
across streams are distinct customers, not a sum): the kernel puts every plugin's rows in one
`UNION ALL` and groups them by bucket and currency in one statement. Columns are by label:

- `revenue`: `customer_id` (the customers row id), `currency`, `at`, `amount` (minor units, positive),
  `kind` (`payment` | `refund` | `dispute`), `stream` (the plugin's name for its revenue);
- `checkouts`: `at` (started), `completed` (1 or 0), `stream`;
- `prepaid`: `currency`, `value`: what the credits still unspent on a grant bought with money cost,
  in minor units (remaining x amount paid / credits bought, floored per grant); `grant_id`, `paid`,
  `bought`: the grant, the money paid and the credits bought, for the liability's movements.

Each statement must already be scoped to the tenant (`core.db.scoped`) and to the series' window and
currency where it has one (`series.window(column)`, `series.currencies(column)`). `revenue_rows`,
`checkout_rows` and `prepaid_rows` build their columns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, case, literal, select

from core.analytics.schemas import SubscriptionSeries
from core.ledger.models import CreditGrant


@dataclass(frozen=True)
class MetricsPart:
    """One plugin's contribution to the metrics of one request."""

    revenue: Sequence[Any] = ()
    checkouts: Sequence[Any] = ()
    prepaid: Sequence[Any] = ()
    # The subscription metrics, per currency (the plugin that keeps subscription history computes them).
    subscriptions: Mapping[str, SubscriptionSeries] = field(default_factory=dict)


def revenue_rows(*, customer_id: Any, currency: Any, at: Any, amount: Any, kind: str, stream: str) -> Select[Any]:
    """A `revenue` statement's columns, labelled (add the plugin's FROM, scope and conditions)."""
    return select(
        customer_id.label("customer_id"),
        currency.label("currency"),
        at.label("at"),
        amount.label("amount"),
        literal(kind).label("kind"),
        literal(stream).label("stream"),
    )


def checkout_rows(*, at: Any, completed: Any, stream: str) -> Select[Any]:
    """A `checkouts` statement's columns: when each started, and 1 when it was paid."""
    return select(at.label("at"), case((completed, 1), else_=0).label("completed"), literal(stream).label("stream"))


def prepaid_rows(
    *, currency: Any, amount: Any, bought: Any, source: str, source_ref: Any, tenant_id: Any
) -> Select[Any]:
    """A `prepaid` statement: each paid row's grant (by `source` and `source_ref`), valued at
    `remaining x amount / bought` with `bought` the credits paid for (integer division: floored per grant).
    Spent grants are kept (worth 0 now): what they were worth earlier is the liability's history."""
    return (
        select(
            currency.label("currency"),
            (CreditGrant.remaining * amount / bought).label("value"),
            CreditGrant.id.label("grant_id"),
            amount.label("paid"),
            bought.label("bought"),
        )
        .join(
            CreditGrant,
            and_(
                CreditGrant.tenant_id == tenant_id, CreditGrant.source == source, CreditGrant.source_ref == source_ref
            ),
        )
        .where(bought > 0)
    )
