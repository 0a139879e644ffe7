"""What the audit hands each plugin (the period's Stripe objects) and what a plugin answers (what it
explains, and the differences it finds): the contract of `tollgate_money_audit`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.db import scoped
from core.ledger.models import CreditGrant
from tenants.registry import Tenant

# The kinds of difference. Each says what a person would look for.
PAID_NOT_GRANTED: Final = "paid_not_granted"
GRANTED_WITHOUT_PAYMENT: Final = "granted_without_payment"
REFUND_NOT_CLAWED_BACK: Final = "refund_not_clawed_back"
DISPUTE_NOT_HELD: Final = "dispute_not_held"
AMOUNT_MISMATCH: Final = "amount_mismatch"
CREDITS_MISMATCH: Final = "credits_mismatch"
UNCLAIMED: Final = "unclaimed"
KINDS: Final = (
    PAID_NOT_GRANTED,
    GRANTED_WITHOUT_PAYMENT,
    REFUND_NOT_CLAWED_BACK,
    DISPUTE_NOT_HELD,
    AMOUNT_MISMATCH,
    CREDITS_MISMATCH,
    UNCLAIMED,
)

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class StripeObjects:
    """One tenant's Stripe objects of an audited period, as plain dicts in Stripe's shapes (newest first).

    Only the money that moved: paid invoices, succeeded PaymentIntents, complete Checkout Sessions,
    refunds and disputes.
    """

    since: dt.datetime
    until: dt.datetime
    invoices: Sequence[Obj] = ()
    payment_intents: Sequence[Obj] = ()
    checkout_sessions: Sequence[Obj] = ()
    refunds: Sequence[Obj] = ()
    disputes: Sequence[Obj] = ()

    def all(self) -> Iterable[Obj]:
        yield from self.invoices
        yield from self.payment_intents
        yield from self.checkout_sessions
        yield from self.refunds
        yield from self.disputes


@dataclass(frozen=True)
class Finding:
    """One difference between Stripe and Tollgate's records.

    `repair_events`: the Stripe event types (about `event_object`) one of which, had it been applied,
    would have left no difference. The audit's repair looks for that event and stores it through the
    inbox; a finding without them is left for a person.
    """

    kind: str
    stripe_object: str
    description: str
    customer: str | None = None
    expected: str | None = None
    found: str | None = None
    repair_events: tuple[str, ...] = ()
    event_object: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        return self.kind, self.stripe_object


@dataclass
class AuditAnswer:
    """A plugin's answer: the Stripe objects it owns and checked, the grants they explain, and its findings.

    `grant_sources`: the ledger grant sources the plugin grants for Stripe payments; a grant of one of
    them made in the period that no answer lists in `explained_grants` is reported as granted without
    a payment.
    """

    explained: set[str] = field(default_factory=set)
    grant_sources: set[str] = field(default_factory=set)
    explained_grants: set[tuple[str, str]] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)

    def explain(self, *object_ids: Any) -> None:
        self.explained.update(str(i) for i in object_ids if i)


async def grants_by_ref(
    session: AsyncSession, tenant: Tenant, source: str, refs: Iterable[str]
) -> dict[str, CreditGrant]:
    """The tenant's ledger grants of `source` for these references, by reference (a missing one is absent)."""
    wanted = sorted(set(refs))
    if not wanted:
        return {}
    statement = scoped(select(CreditGrant), CreditGrant, tenant.slug).where(
        CreditGrant.source == source, CreditGrant.source_ref.in_(wanted)
    )
    return {row.source_ref: row for row in (await session.execute(statement)).scalars()}


def money(amount: Any, currency: Any) -> str:
    """An amount as the findings show it: `1500 usd` (minor units)."""
    return f"{int(amount or 0)} {currency or '?'}"


def id_of(value: Any) -> str | None:
    """An id field that may come expanded (`{"id": ...}`) or as the bare id."""
    if isinstance(value, Mapping):
        return str(value["id"])
    return str(value) if value else None
