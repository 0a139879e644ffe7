"""The plugin's part of the one-statement entitlements read (`tollgate_entitlements_read`, PostgreSQL).

The customer's subscription holding a plan (the newest, as `SubscriptionRepository.holding` takes
it), whether this month's free allowance is granted, and the subscribed price as the enabled
catalogs hold it (`CatalogRead.by_id`), read beside the customer. Answered from them: a customer
without a plan whose allowance is granted (or whose tier grants none), a restricted plan (dunning
past its grace, unpaid, paused), and a plan in good standing with its price's `feature_flags` and
`credit_amount`, as `SubscriptionService.plan` gives them. A customer whose allowance is still due,
or a plan in good standing while an enabled catalog has no part of its own, answers through
`tollgate_entitlements` in a session.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, any_, bindparam, exists, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from core.catalog import CatalogRead
from core.customers.models import Customer
from core.db import RowOf, scoped
from core.entitlement_parts import TENANT, EntitlementsRead
from plugins.subscriptions.allowances import SOURCE_FREE, free_ref
from plugins.subscriptions.config import config_of
from plugins.subscriptions.models import HOLDING, Allowance, Subscription
from plugins.subscriptions.plans import plan_of, priced
from plugins.subscriptions.prices import tier_price
from tenants.registry import Tenant

_STATUSES = ARRAY(String)
_SUBSCRIPTION = RowOf(Subscription)
_ID = _SUBSCRIPTION.attributes.index("id")
_HELD = (
    scoped(select(*_SUBSCRIPTION.columns), Subscription, TENANT)
    # `= ANY(array)`: a statement run on the driver takes no expanding IN list.
    .where(
        Subscription.customer == Customer.external_id, Subscription.status == any_(literal(list(HOLDING), _STATUSES))
    )
    .order_by(Subscription.created_at.desc())
    .limit(1)
    .lateral("subscription_held")
)
# The customer's own column besides the reference: with either index the check reads only this
# customer's rows, whatever the table's statistics say (on a table grown since its last ANALYZE, the
# planner took the customer index for (source, source_ref) alone and scanned the tenant's allowances).
_FREE_GRANTED = exists(
    scoped(select(Allowance.id), Allowance, TENANT).where(
        Allowance.customer == bindparam("customer"),
        Allowance.source == SOURCE_FREE,
        Allowance.source_ref == bindparam("subscriptions_free_ref"),
    )
).label("subscriptions_free_granted")


def entitlements_read(catalog: CatalogRead) -> EntitlementsRead:
    prices = catalog.by_id(_HELD.c.price_id)
    held_columns = len(_HELD.c)

    def answer(values: Sequence[Any], tenant: Tenant, customer: str, now: dt.datetime) -> Mapping[str, Any] | None:
        held, free_granted, price_values = values[:held_columns], values[held_columns], values[held_columns + 1 :]
        config = config_of(tenant)
        if held[_ID] is None:
            if not free_granted and (config.default.monthly_limit or 0) > 0:
                return None  # this month's allowance is still to grant: a write
            return plan_of(config, customer, None, now).entitlements()
        row = _SUBSCRIPTION(held)
        plan = plan_of(config, customer, row, now)
        if plan.restricted:
            return plan.entitlements()
        if not catalog.readable:
            return None  # an enabled catalog answers only in a session
        # As `SubscriptionService.plan`: the subscribed price's catalog terms (none from the secrets' map).
        price = tier_price(prices.prices(price_values, tenant))
        return priced(plan, row, price.feature_flags if price else ()).entitlements()

    return EntitlementsRead(
        answer=answer,
        joins=(_HELD, *prices.joins),
        columns=(*_HELD.c, _FREE_GRANTED, *prices.columns),
        params=lambda customer, now: {"subscriptions_free_ref": free_ref(customer, now)},
    )
