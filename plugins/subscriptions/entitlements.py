"""The plugin's part of the one-statement entitlements read (`tollgate_entitlements_read`, PostgreSQL).

The customer's subscription holding a plan (the newest, as `SubscriptionRepository.holding` takes
it) and whether this month's free allowance is granted, read beside the customer. Answered from
them: a customer without a plan whose allowance is granted (or whose tier grants none), and one
whose plan is restricted (dunning past its grace, unpaid, paused). A customer whose allowance is
still due, or who holds a plan in good standing (a synced price's `feature_flags` come from the
catalog), answers through `tollgate_entitlements` in a session, as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import String, any_, bindparam, exists, literal, select
from sqlalchemy.dialects.postgresql import ARRAY

from core.customers.models import Customer
from core.db import attribute_columns, scoped
from core.entitlement_parts import TENANT, EntitlementsRead
from plugins.subscriptions.allowances import SOURCE_FREE, free_ref
from plugins.subscriptions.config import config_of
from plugins.subscriptions.models import HOLDING, Allowance, Subscription
from plugins.subscriptions.plans import plan_of
from tenants.registry import Tenant

_STATUSES = ARRAY(String)
_ATTRIBUTES, _COLUMNS = zip(*attribute_columns(Subscription), strict=True)
_ID = _ATTRIBUTES.index("id")
_HELD = (
    scoped(select(*_COLUMNS), Subscription, TENANT)
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


def _answer(values: Sequence[Any], tenant: Tenant, customer: str, now: dt.datetime) -> Mapping[str, Any] | None:
    *held, free_granted = values
    config = config_of(tenant)
    if held[_ID] is None:
        if not free_granted and (config.default.monthly_limit or 0) > 0:
            return None  # this month's allowance is still to grant: a write
        return plan_of(config, customer, None, now).entitlements()
    plan = plan_of(config, customer, Subscription(**dict(zip(_ATTRIBUTES, held, strict=True))), now)
    return plan.entitlements() if plan.restricted else None


def entitlements_read() -> EntitlementsRead:
    return EntitlementsRead(
        answer=_answer,
        joins=(_HELD,),
        columns=(*_HELD.c, _FREE_GRANTED),
        params=lambda customer, now: {"subscriptions_free_ref": free_ref(customer, now)},
    )
