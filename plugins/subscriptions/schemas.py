"""Wire shapes of the subscriptions plugin: what clients send (`*Create`, `*Update`) and what it answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

import msgspec

from core.fields import Examples
from core.lists import Page
from core.money import Currency
from plugins.subscriptions.config import Interval, TierId

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2048, pattern=r"^https?://")]
PromotionCode = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
# What a customer holds: a Stripe status, or "free" on the default tier without a subscription.
PlanStatus = str


class TierPriceInfo(msgspec.Struct):
    """One Stripe price a tier is sold at."""

    interval: Annotated[Interval, msgspec.Meta(description="The billing period: `month` or `year`.")]
    currency: Annotated[
        str | None,
        msgspec.Meta(description=("The price's ISO 4217 currency, lowercase; null when it cannot be read right now.")),
    ]
    unit_amount: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Money per period, in minor units of `currency` (999 usd: 9.99 USD); null when it cannot be read "
                "right now."
            )
        ),
    ]
    price_id: Annotated[str, msgspec.Meta(description="The Stripe price (`price_...`).")]
    credits_per_period: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Credits per billing period from the price's `credit_amount` metadata (product_sync), instead of "
                "the tier's; null: the tier's."
            )
        ),
    ] = None


class TierInfo(msgspec.Struct):
    """A plan tier on offer: its credits, models, feature flags and prices."""

    id: Annotated[str, msgspec.Meta(description="The tier's id in the tenant's settings (`basic`, `premium`).")]
    name: Annotated[str, msgspec.Meta(description="The tier's display name.")]
    credits_per_month: Annotated[
        int | None, msgspec.Meta(description=("Credits granted each month; null on an unlimited tier."))
    ]
    is_unlimited: Annotated[bool, msgspec.Meta(description="Spends are recorded, never refused or charged.")]
    is_default: Annotated[bool, msgspec.Meta(description="The tier of a customer without a subscription.")]
    models: Annotated[list[str], msgspec.Meta(description="The models the tier may use.")]
    features: Annotated[dict[str, bool], msgspec.Meta(description="Feature flags, on or off.")]
    highlights: Annotated[list[str], msgspec.Meta(description="Selling points to show on a pricing page.")]
    trial_days: Annotated[int, msgspec.Meta(description="Days of free trial at Checkout; 0: none.")]
    prices: Annotated[list[TierPriceInfo], msgspec.Meta(description="The prices it is sold at; empty for a free tier.")]


class TierList(Page[TierInfo]):
    """The tiers on offer, answered whole, and the one a customer without a plan is on."""

    data: Annotated[list[TierInfo], msgspec.Meta(description="Every tier, in the order of the settings.")]
    default_tier: Annotated[str, msgspec.Meta(description="The tier of a customer without a subscription.")]

    schema_examples: ClassVar[Examples] = (
        {
            "data": [
                {
                    "id": "basic",
                    "name": "Basic",
                    "credits_per_month": 200,
                    "is_unlimited": False,
                    "is_default": False,
                    "models": ["flux-schnell", "flux-dev"],
                    "features": {"watermark": False, "priority_queue": True, "api_access": False},
                    "highlights": ["200 generations per month", "FLUX Schnell & Dev models", "No watermark"],
                    "trial_days": 0,
                    "prices": [
                        {
                            "interval": "month",
                            "currency": "usd",
                            "unit_amount": 999,
                            "price_id": "price_1QbAsc2eZvKYlo2C",
                        },
                        {
                            "interval": "year",
                            "currency": "usd",
                            "unit_amount": 9990,
                            "price_id": "price_1QbAsd2eZvKYlo2C",
                        },
                    ],
                }
            ],
            "has_more": False,
            "next_cursor": None,
            "default_tier": "free",
        },
    )


class CheckoutCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A Stripe Checkout session for a subscription to a tier."""

    tier: Annotated[TierId, msgspec.Meta(description="The tier to subscribe to.")]
    success_url: Annotated[Url, msgspec.Meta(description="Where Stripe sends the customer after paying.")]
    interval: Annotated[Interval, msgspec.Meta(description="The billing period: `month` or `year`.")] = "month"
    cancel_url: Annotated[
        Url | None, msgspec.Meta(description=("Where Stripe sends a customer who gives up; null: `success_url`."))
    ] = None
    promotion_code: Annotated[
        PromotionCode | None,
        msgspec.Meta(
            description=(
                "The code a customer types (`WELCOME20`) or a Stripe promotion code id (`promo_...`); null: none."
            )
        ),
    ] = None
    currency: Annotated[
        Currency | None,
        msgspec.Meta(
            description=("The currency to pay in, when the tier has prices in several; null: the tier's first.")
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"tier": "basic", "interval": "month", "success_url": "https://imagegen.example.com/billing/done"},
        {
            "tier": "full",
            "interval": "year",
            "currency": "eur",
            "promotion_code": "WELCOME20",
            "success_url": "https://fiko.example.com/billing/done",
        },
    )


class Checkout(msgspec.Struct):
    """The Checkout session: send the customer to `checkout_url`."""

    checkout_url: Annotated[str, msgspec.Meta(description="Stripe's hosted payment page.")]
    session_id: Annotated[str, msgspec.Meta(description="The Stripe Checkout session (`cs_...`).")]
    tier: Annotated[str, msgspec.Meta(description="The tier subscribed to.")]
    interval: Annotated[str, msgspec.Meta(description="The billing period: `month` or `year`.")]
    price_id: Annotated[str, msgspec.Meta(description="The Stripe price charged.")]
    trial_days: Annotated[int, msgspec.Meta(description="Days of free trial before the first charge; 0: none.")]

    schema_examples: ClassVar[Examples] = (
        {
            "checkout_url": "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5",
            "session_id": "cs_test_a1B2c3D4e5",
            "tier": "basic",
            "interval": "month",
            "price_id": "price_1QbAsc2eZvKYlo2C",
            "trial_days": 0,
        },
    )


class SubscriptionCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A subscription paid in the app's own payment form (Stripe Elements) instead of Stripe's Checkout page."""

    tier: Annotated[TierId, msgspec.Meta(description="The tier to subscribe to.")]
    interval: Annotated[Interval, msgspec.Meta(description="The billing period: `month` or `year`.")] = "month"
    currency: Annotated[
        Currency | None,
        msgspec.Meta(
            description=("The currency to pay in, when the tier has prices in several; null: the tier's first.")
        ),
    ] = None
    promotion_code: Annotated[
        PromotionCode | None,
        msgspec.Meta(
            description=(
                "The code a customer typed (`WELCOME20`) or a Stripe promotion code id (`promo_...`); null: none."
            )
        ),
    ] = None
    trial: Annotated[
        bool | None,
        msgspec.Meta(
            description=(
                "null: the tier's free trial when this is the customer's first subscription (as at Checkout); "
                "false: no trial; true: the trial, or 409 `trial_not_available`."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"tier": "basic", "interval": "month"},
        {"tier": "full", "interval": "year", "currency": "eur", "promotion_code": "WELCOME20"},
    )


class SubscriptionStart(msgspec.Struct):
    """A subscription waiting for its first payment: the app's form confirms `client_secret` with Stripe.js."""

    subscription_id: Annotated[str, msgspec.Meta(description="The Stripe subscription (`sub_...`).")]
    status: Annotated[
        str,
        msgspec.Meta(
            description=(
                "Stripe's status: `incomplete` until the first payment succeeds (then `active` through the webhook), "
                "`trialing` for a trial, `active` when nothing was due."
            )
        ),
    ]
    client_secret: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "The secret the form confirms: the first invoice's payment (`stripe.confirmPayment`), or for a trial "
                "with nothing due the SetupIntent that saves the card (`stripe.confirmSetup`); null: nothing to "
                "confirm."
            )
        ),
    ]
    secret_type: Annotated[
        str | None,
        msgspec.Meta(description="`payment` (a PaymentIntent's secret), `setup` (a SetupIntent's), or null."),
    ]
    tier: Annotated[str, msgspec.Meta(description="The tier subscribed to.")]
    interval: Annotated[str, msgspec.Meta(description="The billing period: `month` or `year`.")]
    price_id: Annotated[str, msgspec.Meta(description="The Stripe price charged.")]
    currency: Annotated[str, msgspec.Meta(description="The ISO 4217 currency, lowercase.")]
    amount_due: Annotated[
        int, msgspec.Meta(description="The first invoice, in minor units of `currency` (after any promotion code).")
    ]
    trial_days: Annotated[int, msgspec.Meta(description="Days of free trial before the first charge; 0: none.")]
    trial_end: Annotated[dt.datetime | None, msgspec.Meta(description="When the trial ends; null: no trial.")]
    expires_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(
            description=(
                "When Stripe gives up on an unpaid first invoice (`incomplete_expired`: the customer stays on the "
                "free tier); null when nothing is due."
            )
        ),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "subscription_id": "sub_1QbB7n2eZvKYlo2C",
            "status": "incomplete",
            "client_secret": "pi_3QbB7o2eZvKYlo2C1a2b3c4d_secret_e5F6g7H8",
            "secret_type": "payment",
            "tier": "basic",
            "interval": "month",
            "price_id": "price_1QbAsc2eZvKYlo2C",
            "currency": "usd",
            "amount_due": 999,
            "trial_days": 0,
            "trial_end": None,
            "expires_at": "2026-03-02T11:00:00Z",
        },
    )


class PendingPayment(msgspec.Struct):
    """A subscription started in the app whose first payment has not gone through yet."""

    subscription_id: Annotated[str, msgspec.Meta(description="The Stripe subscription (`sub_...`).")]
    tier: Annotated[str, msgspec.Meta(description="The tier it is for.")]
    interval: Annotated[str, msgspec.Meta(description="The billing period: `month` or `year`.")]
    status: Annotated[str, msgspec.Meta(description="Stripe's subscription status: `incomplete`.")]
    payment_status: Annotated[
        str,
        msgspec.Meta(
            description=(
                "`requires_payment_method` (not paid yet, or the card was declined: confirm again) or "
                "`requires_action` (the bank asks for 3-D Secure: the form must let the customer authenticate)."
            )
        ),
    ]
    expires_at: Annotated[
        dt.datetime, msgspec.Meta(description="When Stripe gives up on it (23 hours after it was started).")
    ]


class PreviewLine(msgspec.Struct):
    """One line of a previewed invoice."""

    description: Annotated[str | None, msgspec.Meta(description="Stripe's line text.")]
    amount: Annotated[int, msgspec.Meta(description="Money, in minor units of the preview's `currency`; < 0: credit.")]
    proration: Annotated[bool, msgspec.Meta(description="A prorated charge or credit for part of the period.")]
    period_start: Annotated[dt.datetime, msgspec.Meta(description="The start of the time the line is for.")]
    period_end: Annotated[dt.datetime, msgspec.Meta(description="Its end.")]


class SubscriptionPreview(msgspec.Struct):
    """What a plan change would cost and grant, as Stripe's invoice preview prices it; nothing is changed."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    subscription_id: Annotated[str, msgspec.Meta(description="The Stripe subscription (`sub_...`).")]
    tier: Annotated[str, msgspec.Meta(description="The tier it would move to.")]
    interval: Annotated[str, msgspec.Meta(description="The billing period it would move to.")]
    price_id: Annotated[str, msgspec.Meta(description="The Stripe price it would be billed at.")]
    change: Annotated[
        str,
        msgspec.Meta(
            description=(
                "`upgrade` (invoiced at once, as PATCH .../subscription does it) or `downgrade` (the unused time is "
                "credited on the next invoice)."
            )
        ),
    ]
    currency: Annotated[str, msgspec.Meta(description="The ISO 4217 currency of every amount, lowercase.")]
    amount_due_now: Annotated[int, msgspec.Meta(description="Charged at once by the change, in minor units.")]
    proration_amount: Annotated[
        int,
        msgspec.Meta(description="Prorated charges less the credit for unused time, in minor units (< 0: a credit)."),
    ]
    proration_date: Annotated[
        dt.datetime | None, msgspec.Meta(description="The moment the proration was computed for; null: none.")
    ]
    next_invoice_at: Annotated[dt.datetime | None, msgspec.Meta(description="When the next invoice is due.")]
    next_invoice_amount: Annotated[
        int, msgspec.Meta(description="What it will ask for, in minor units (a downgrade's credit already taken off).")
    ]
    credits: Annotated[
        int,
        msgspec.Meta(
            description=(
                "Credits the change grants at once under the plan's credit rules (docs/subscriptions.md, "
                '"Credits when the plan changes"); 0 when none (or unlimited).'
            )
        ),
    ]
    credits_per_month: Annotated[
        int | None, msgspec.Meta(description="Credits the new tier grants each month; null on an unlimited tier.")
    ]
    is_unlimited: Annotated[bool, msgspec.Meta(description="The new tier is unlimited.")]
    lines: Annotated[list[PreviewLine], msgspec.Meta(description="The lines of the invoice the change makes first.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "subscription_id": "sub_1QbB7n2eZvKYlo2C",
            "tier": "pro",
            "interval": "month",
            "price_id": "price_1QbAse2eZvKYlo2C",
            "change": "upgrade",
            "currency": "usd",
            "amount_due_now": 667,
            "proration_amount": 667,
            "proration_date": "2026-03-11T12:00:00Z",
            "next_invoice_at": "2026-04-01T12:00:00Z",
            "next_invoice_amount": 1999,
            "credits": 533,
            "credits_per_month": 1000,
            "is_unlimited": False,
            "lines": [
                {
                    "description": "Unused time on 1 x ImageGen Basic after 11 Mar 2026",
                    "amount": -666,
                    "proration": True,
                    "period_start": "2026-03-11T12:00:00Z",
                    "period_end": "2026-04-01T12:00:00Z",
                },
                {
                    "description": "Remaining time on 1 x ImageGen Pro after 11 Mar 2026",
                    "amount": 1333,
                    "proration": True,
                    "period_start": "2026-03-11T12:00:00Z",
                    "period_end": "2026-04-01T12:00:00Z",
                },
            ],
        },
    )


class PortalCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A Stripe customer portal session, where the customer manages cards and invoices."""

    return_url: Annotated[Url, msgspec.Meta(description="Where the portal's back link goes.")]

    schema_examples: ClassVar[Examples] = ({"return_url": "https://imagegen.example.com/account"},)


class Portal(msgspec.Struct):
    """The portal session: send the customer to `portal_url`."""

    portal_url: Annotated[str, msgspec.Meta(description="Stripe's customer portal page, valid for a short while.")]

    schema_examples: ClassVar[Examples] = ({"portal_url": "https://billing.stripe.com/p/session/test_YWNjdF8x"},)


class SubscriptionUpdate(msgspec.Struct, forbid_unknown_fields=True):
    """A plan change (tier and/or interval, prorated by Stripe) or undoing a cancellation at period end."""

    tier: Annotated[TierId | None, msgspec.Meta(description="The tier to move to; null: the same tier.")] = None
    interval: Annotated[
        Interval | None, msgspec.Meta(description=("The billing period to move to; null: the same one."))
    ] = None
    cancel_at_period_end: Annotated[
        bool | None,
        msgspec.Meta(
            description=("`true` cancels at the period end (as DELETE does), `false` undoes that; null: unchanged.")
        ),
    ] = None

    schema_examples: ClassVar[Examples] = ({"tier": "premium"}, {"cancel_at_period_end": False})


class Subscription(msgspec.Struct):
    """The plan a customer is on: a Stripe subscription, or the default tier without one."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    tier: Annotated[str, msgspec.Meta(description="The tier's id.")]
    tier_name: Annotated[str, msgspec.Meta(description="The tier's display name.")]
    status: Annotated[
        PlanStatus,
        msgspec.Meta(
            description=(
                "Stripe's subscription status (`active`, `trialing`, `past_due`, ...), or `free` on the default "
                "tier without a subscription."
            )
        ),
    ]
    subscription_id: Annotated[
        str | None, msgspec.Meta(description=("The Stripe subscription (`sub_...`); null on the default tier."))
    ]
    interval: Annotated[
        str | None, msgspec.Meta(description=("The billing period, `month` or `year`; null on the default tier."))
    ]
    credits_remaining: Annotated[
        int,
        msgspec.Meta(
            description=("Every credit the customer can spend now (plan, purchases, grants): the ledger's balance.")
        ),
    ]
    credits_per_month: Annotated[
        int | None, msgspec.Meta(description=("Credits the tier grants each month; null on an unlimited tier."))
    ]
    is_unlimited: Annotated[bool, msgspec.Meta(description="Spends are recorded, never refused or charged.")]
    current_period_start: Annotated[
        dt.datetime, msgspec.Meta(description=("When the current billing period (or month on the default tier) began."))
    ]
    current_period_end: Annotated[dt.datetime, msgspec.Meta(description="When it ends: the next renewal.")]
    cancel_at_period_end: Annotated[
        bool, msgspec.Meta(description=("The subscription ends at `current_period_end`, back to the default tier."))
    ]
    trial_end: Annotated[dt.datetime | None, msgspec.Meta(description="When the free trial ends; null: no trial.")]
    restricted: Annotated[
        bool,
        msgspec.Meta(
            description=("`past_due` beyond the grace period (or `unpaid`): the default tier's entitlements apply.")
        ),
    ]
    grace_ends_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(description=("When a `past_due` subscription's grace period ends; null: not past due.")),
    ]
    models: Annotated[list[str], msgspec.Meta(description="The models the customer may use now.")]
    features: Annotated[dict[str, bool], msgspec.Meta(description="Feature flags, on or off, as they apply now.")]
    pending_payment: Annotated[
        PendingPayment | None,
        msgspec.Meta(
            description=(
                "A subscription started in the app (POST .../subscription) still waiting for its first payment; "
                "null: none."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "tier": "basic",
            "tier_name": "Basic",
            "status": "active",
            "subscription_id": "sub_1QbB7n2eZvKYlo2C",
            "interval": "month",
            "credits_remaining": 150,
            "credits_per_month": 200,
            "is_unlimited": False,
            "current_period_start": "2026-03-01T12:00:00Z",
            "current_period_end": "2026-04-01T12:00:00Z",
            "cancel_at_period_end": False,
            "trial_end": None,
            "restricted": False,
            "grace_ends_at": None,
            "models": ["flux-schnell", "flux-dev"],
            "features": {"watermark": False, "priority_queue": True, "api_access": False},
        },
    )


class Usage(msgspec.Struct):
    """How much of this period's plan allowance the customer has used."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    tier: Annotated[str, msgspec.Meta(description="The tier's id.")]
    is_unlimited: Annotated[
        bool, msgspec.Meta(description=("The tier is unlimited: `used` counts every recorded spend."))
    ]
    period_start: Annotated[dt.datetime, msgspec.Meta(description="When the period began.")]
    period_end: Annotated[dt.datetime, msgspec.Meta(description="When it ends.")]
    allowance: Annotated[
        int | None, msgspec.Meta(description=("Credits the plan granted for this period; null on an unlimited tier."))
    ]
    used: Annotated[
        int,
        msgspec.Meta(description=("Credits used this period: of the allowance, or (unlimited) every recorded spend.")),
    ]
    remaining: Annotated[
        int | None, msgspec.Meta(description=("Credits of the allowance left; null on an unlimited tier."))
    ]
    percentage: Annotated[
        int | None,
        msgspec.Meta(description=("Whole percent of the allowance used, rounded down; null on an unlimited tier.")),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "tier": "basic",
            "is_unlimited": False,
            "period_start": "2026-03-01T12:00:00Z",
            "period_end": "2026-04-01T12:00:00Z",
            "allowance": 200,
            "used": 50,
            "remaining": 150,
            "percentage": 25,
        },
    )


class ModelAccess(msgspec.Struct):
    """Whether the customer's tier may use one model, and where to get it when not."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    model: Annotated[str, msgspec.Meta(description="The model asked about.")]
    allowed: Annotated[bool, msgspec.Meta(description="The customer's tier may use it now.")]
    tier: Annotated[str, msgspec.Meta(description="The customer's tier.")]
    code: Annotated[
        str | None, msgspec.Meta(description=("Why not: `model_not_in_tier` or `unknown_model`; null when allowed."))
    ]
    available_in: Annotated[
        str | None, msgspec.Meta(description=("The cheapest tier that has the model; null when allowed or unknown."))
    ]
    message: Annotated[str, msgspec.Meta(description="The answer in words, for a person.")]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "ana",
            "model": "flux-1.1-pro",
            "allowed": False,
            "tier": "basic",
            "code": "model_not_in_tier",
            "available_in": "premium",
            "message": "flux-1.1-pro is in the Premium tier",
        },
    )


class ReconcileRequest(msgspec.Struct):
    """A reconcile of the tenant's subscriptions with Stripe, queued as a job."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    queued: Annotated[bool, msgspec.Meta(description="The job was queued; its findings go to the log and the metrics.")]

    schema_examples: ClassVar[Examples] = ({"tenant": "fiko", "queued": True},)


class Drift(msgspec.Struct):
    """What a reconcile found different between one local subscription and Stripe (`field: [local, stripe]`)."""

    subscription: Annotated[str, msgspec.Meta(description="The Stripe subscription.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    changes: Annotated[
        dict[str, tuple[str, str]], msgspec.Meta(description=("Each field that differs: `[local, stripe]`."))
    ]
    error: Annotated[str | None, msgspec.Meta(description="Why Stripe could not be asked; null: it answered.")] = None
