"""The plugin's tables: Stripe subscriptions as last applied, the checkouts we started, the allowances we granted,
the history of what each subscription was worth (`subscription_changes`), its invoices and what their payments
gave back (refunds, disputes)."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from advanced_alchemy.types.datetime import DateTimeUTC
from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from core.db import TenantOwned

# Stripe statuses in which the customer holds the plan (maybe in dunning); anything else is the free tier.
HOLDING = ("active", "trialing", "past_due", "unpaid", "paused")
IN_GOOD_STANDING = ("active", "trialing")
# Stripe never brings a subscription back from these.
FINAL = ("canceled", "incomplete_expired")


class Subscription(TenantOwned):
    """One Stripe subscription of a customer, in the state last read from Stripe."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_subscription_id", name="uq_subscriptions_tenant_stripe"),
        Index("ix_subscriptions_tenant_customer", "tenant_id", "customer"),
        Index("ix_subscriptions_tenant_next_allowance", "tenant_id", "next_allowance_at"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[str] = mapped_column(String(255))
    stripe_subscription_id: Mapped[str] = mapped_column(String(255))
    stripe_customer_id: Mapped[str] = mapped_column(String(255))
    item_id: Mapped[str] = mapped_column(String(255))
    price_id: Mapped[str] = mapped_column(String(255))
    tier: Mapped[str] = mapped_column(String(64))
    interval: Mapped[str] = mapped_column(String(8))
    currency: Mapped[str] = mapped_column(String(3))
    # Credits per billing period from the price's `credit_amount` metadata (product_sync); None: the tier's.
    period_credits: Mapped[int | None] = mapped_column(BigInteger, default=None)
    status: Mapped[str] = mapped_column(String(32))
    current_period_start: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    current_period_end: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    trial_end: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # When dunning began (the first failed renewal); the grace period counts from here.
    past_due_since: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The last period an invoice paid for: a yearly plan hands out its allowance month by month within it.
    paid_period_start: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    paid_period_end: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    next_allowance_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # What the ledger was last told about an unlimited tier (None: not unlimited).
    unlimited_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class SubscriptionCheckout(TenantOwned):
    """A Checkout Session we created for a customer; also the rate limiter's record."""

    __tablename__ = "subscription_checkouts"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_session_id", name="uq_subscription_checkouts_tenant_session"),
        Index("ix_subscription_checkouts_tenant_customer_created", "tenant_id", "customer", "created_at"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[str] = mapped_column(String(255))
    tier: Mapped[str] = mapped_column(String(64))
    interval: Mapped[str] = mapped_column(String(8))
    price_id: Mapped[str] = mapped_column(String(255))
    promotion_code: Mapped[str | None] = mapped_column(String(255), default=None)
    trial_days: Mapped[int] = mapped_column(Integer, default=0)
    stripe_session_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # open | complete | expired
    status: Mapped[str] = mapped_column(String(16), default="open")
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), default=None)
    completed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)


class Allowance(TenantOwned):
    """Credits the plugin granted for one period of a plan (a ledger grant, looked up by source and ref)."""

    __tablename__ = "subscription_allowances"
    __table_args__ = (
        UniqueConstraint("tenant_id", "source", "source_ref", name="uq_subscription_allowances_tenant_source"),
        Index("ix_subscription_allowances_customer_period", "tenant_id", "customer", "kind", "period_start"),
    )

    customer: Mapped[str] = mapped_column(String(255))
    # The Stripe subscription; None for the free tier's allowance.
    subscription: Mapped[str | None] = mapped_column(String(255), default=None)
    # period (an invoice or a yearly plan's month) | free | change (a mid-period plan change)
    kind: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(64))
    credits: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(64))
    source_ref: Mapped[str] = mapped_column(String(255))
    period_start: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    period_end: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    grant_id: Mapped[str] = mapped_column(String(64))


class SubscriptionChange(TenantOwned):
    """One change of what a subscription is worth or of its standing, as it was applied (never updated).

    The history the metrics read: MRR at any past moment is the sum of the `arr_after - arr_before` of the
    changes before it, so a figure for a past period does not move when today's state does. `arr_*` is the
    plan's annual run rate in minor units (MRR x 12): a yearly plan's MRR is kept exact as a numerator over
    12, and the division happens once, on a total. It is 0 unless the subscription is `active` or `past_due`
    on a paid tier (trials, the free tier, unpaid, paused and ended subscriptions bring nothing).
    """

    __tablename__ = "subscription_changes"
    __table_args__ = (
        # A replayed event (or two paths applying one state) writes no second row.
        UniqueConstraint(
            "tenant_id", "subscription", "occurred_at", "kind", name="uq_subscription_changes_tenant_sub_time_kind"
        ),
        Index("ix_subscription_changes_tenant_subscription", "tenant_id", "subscription", "occurred_at"),
        Index("ix_subscription_changes_tenant_occurred", "tenant_id", "occurred_at"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    # The Stripe subscription id.
    subscription: Mapped[str] = mapped_column(String(255))
    # Stripe's event time (or the time our API or a reconcile applied the state).
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    # new | expansion | contraction | churn | reactivation | past_due | recovered | trial_started
    # | cancel_scheduled | cancel_unscheduled (see docs/metrics.md)
    kind: Mapped[str] = mapped_column(String(24))
    currency: Mapped[str] = mapped_column(String(3))
    tier: Mapped[str] = mapped_column(String(64))
    previous_tier: Mapped[str | None] = mapped_column(String(64), default=None)
    status: Mapped[str] = mapped_column(String(32))
    previous_status: Mapped[str | None] = mapped_column(String(32), default=None)
    arr_before: Mapped[int] = mapped_column(BigInteger, default=0)
    arr_after: Mapped[int] = mapped_column(BigInteger, default=0)
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False)
    event_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # Written from a subscription's state when the history began after it (see `history.backfill`).
    backfilled: Mapped[bool] = mapped_column(Boolean, default=False)


class SubscriptionInvoice(TenantOwned):
    """An invoice of one of our subscriptions, as its last Stripe event left it: the customer's billing history,
    and once paid, the subscriptions stream of revenue by the day it was paid."""

    __tablename__ = "subscription_invoices"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_invoice_id", name="uq_subscription_invoices_tenant_invoice"),
        Index("ix_subscription_invoices_tenant_paid", "tenant_id", "paid_at"),
        Index("ix_subscription_invoices_tenant_customer", "tenant_id", "customer_id", "invoiced_at"),
        Index("ix_subscription_invoices_tenant_intent", "tenant_id", "payment_intent_id"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    subscription: Mapped[str] = mapped_column(String(255))
    stripe_invoice_id: Mapped[str] = mapped_column(String(255))
    number: Mapped[str | None] = mapped_column(String(64), default=None)
    # draft | open | paid | uncollectible | void (Stripe's; see `billing.STATUS_RANK`)
    status: Mapped[str] = mapped_column(String(16), default="paid")
    amount_due: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_paid: Mapped[int] = mapped_column(BigInteger, default=0)
    amount_remaining: Mapped[int] = mapped_column(BigInteger, default=0)
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    period_end: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    hosted_invoice_url: Mapped[str | None] = mapped_column(String(2048), default=None)
    invoice_pdf: Mapped[str | None] = mapped_column(String(2048), default=None)
    # Stripe's `created`: when the invoice was drawn up.
    invoiced_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    # The payment that paid it (the invoice's default `invoice_payment`): its refunds and disputes find it here.
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), default=None)
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None)
    receipt_url: Mapped[str | None] = mapped_column(String(2048), default=None)


class SubscriptionReversal(TenantOwned):
    """Money a subscription invoice's payment gave back: a refund (`re_`) or a dispute (`du_`/`dp_`), one row each,
    kept as its last Stripe event left it. Money only: no credits are clawed back (docs/billing-history.md)."""

    __tablename__ = "subscription_reversals"
    __table_args__ = (
        UniqueConstraint("tenant_id", "stripe_id", name="uq_subscription_reversals_tenant_stripe"),
        Index("ix_subscription_reversals_tenant_customer", "tenant_id", "customer_id", "occurred_at"),
    )

    customer_id: Mapped[UUID] = mapped_column(ForeignKey("customers.id"))
    subscription: Mapped[str] = mapped_column(String(255))
    stripe_invoice_id: Mapped[str] = mapped_column(String(255))
    charge_id: Mapped[str] = mapped_column(String(255))
    # refund | dispute
    kind: Mapped[str] = mapped_column(String(8))
    stripe_id: Mapped[str] = mapped_column(String(255))
    # A refund: pending | succeeded | failed | canceled; a dispute: Stripe's status (won, lost, needs_response...).
    status: Mapped[str] = mapped_column(String(32))
    amount: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    # Stripe's `created` of the refund or dispute; a dispute's close is `closed_at` (when won or lost).
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    receipt_url: Mapped[str | None] = mapped_column(String(2048), default=None)
