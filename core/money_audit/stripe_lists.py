"""Reading one tenant's money from its Stripe account for a period: paid invoices, succeeded PaymentIntents,
complete Checkout Sessions, refunds and disputes, every page."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import stripe

from core.money_audit.findings import Obj, StripeObjects

# A callback told each kind as it is read: (kind, objects read so far).
Progress = Callable[[str, int], None]

PAGE = 100


def as_plain(obj: Any) -> dict[str, Any]:
    """A Stripe object as Stripe's wire JSON (the SDK reads `*_decimal` strings as Decimal)."""
    plain: dict[str, Any] = json.loads(json.dumps(obj.to_dict(), default=str))
    return plain


async def list_all(
    resource: Any, params: Mapping[str, Any], kind: str, progress: Progress | None = None
) -> list[dict[str, Any]]:
    """Every object a Stripe list endpoint answers for `params`, following `starting_after`."""
    found: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        page = await resource.list_async({**params, "limit": PAGE, **({"starting_after": after} if after else {})})
        found.extend(as_plain(obj) for obj in page.data)
        if progress is not None:
            progress(kind, len(found))
        if not page.has_more or not page.data:
            return found
        after = page.data[-1].id


async def money_in_period(
    client: stripe.StripeClient, since: dt.datetime, until: dt.datetime, progress: Progress | None = None
) -> StripeObjects:
    """The period's money as the tenant's Stripe account holds it (`created` in `[since, until)`).

    Stripe's `created` is whole seconds: the second `until` falls in is listed whole (an object made
    in it before `until` belongs to the period, and its grant is among the period's), so `lt` is
    rounded up. An object of that second made after `until` is listed too; a grant is looked for by
    its object, so that adds no difference.
    """
    created = {"gte": int(since.timestamp()), "lt": math.ceil(until.timestamp())}
    v1 = client.v1
    invoices = await list_all(v1.invoices, {"status": "paid", "created": created}, "invoices", progress)
    intents = await list_all(v1.payment_intents, {"created": created}, "payment_intents", progress)
    sessions = await list_all(
        v1.checkout.sessions, {"status": "complete", "created": created}, "checkout_sessions", progress
    )
    refunds = await list_all(v1.refunds, {"created": created}, "refunds", progress)
    disputes = await list_all(v1.disputes, {"created": created}, "disputes", progress)
    return StripeObjects(
        since=since,
        until=until,
        invoices=invoices,
        payment_intents=[i for i in intents if i.get("status") == "succeeded"],
        checkout_sessions=[s for s in sessions if _paid(s)],
        refunds=[r for r in refunds if r.get("status") == "succeeded"],
        disputes=disputes,
    )


def _paid(session: Obj) -> bool:
    return session.get("payment_status") in ("paid", "no_payment_required")


def counts(objects: StripeObjects) -> dict[str, int]:
    return {
        "invoices": len(objects.invoices),
        "payment_intents": len(objects.payment_intents),
        "checkout_sessions": len(objects.checkout_sessions),
        "refunds": len(objects.refunds),
        "disputes": len(objects.disputes),
    }
