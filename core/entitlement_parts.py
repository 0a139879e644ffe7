"""A plugin's part of the one-statement entitlements read (`tollgate_entitlements_read`), for `core.entitlements`.

Apart from `core.entitlements` so that the hook specs can name it without importing the route.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, FromClause, bindparam

if TYPE_CHECKING:
    from tenants.registry import Tenant

# A plugin's answer from its columns: (the columns, the tenant, the customer's id, now) -> the answer,
# or None to answer through `tollgate_entitlements` in a session instead.
Answer = Callable[[Sequence[Any], "Tenant", str, dt.datetime], Mapping[str, Any] | None]


@dataclass(frozen=True)
class EntitlementsRead:
    """A plugin's part of the one-statement entitlements read (`tollgate_entitlements_read`).

    `joins`: LATERAL subqueries correlated with `Customer`, outer-joined on true (so each must give at
    most one row), scoped with the bound parameter `scope_tenant` (`TENANT`). `columns`: what the
    statement selects for the plugin, in the order `answer` receives them. `params`: the plugin's
    other bound parameters (named after the plugin) for a customer id and now; a part may also use the
    statement's own `customer` (the customer's id) and `scope_tenant`.
    """

    answer: Answer
    joins: Sequence[FromClause] = ()
    columns: Sequence[ColumnElement[Any]] = ()
    params: Callable[[str, dt.datetime], Mapping[str, Any]] = field(default=lambda customer, now: {})


# The tenant every part scopes its subqueries to (the statement's one `scope_tenant` parameter).
TENANT = cast(str, bindparam("scope_tenant"))
