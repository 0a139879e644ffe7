"""Wire shapes of token packages: the packs on sale, orders and their payments, refunds."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples, PaymentMethodId
from core.lists import Page
from core.money import Currency
from plugins.token_packages.config import Expiry, RefundPolicy

OrderStatus = Literal["pending", "processing", "succeeded", "failed", "expired", "refunded", "partially_refunded"]
RefundStatus = Literal["pending", "succeeded", "failed"]
Url = Annotated[str, msgspec.Meta(pattern=r"^https?://", max_length=2048)]


class PackagePrice(msgspec.Struct):
    """What a pack costs in one currency."""

    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    amount: Annotated[
        int, msgspec.Meta(description=("Money in minor units of `currency` (fen, cents): 10000 cny is 100.00 yuan."))
    ]
    display_amount: Annotated[str, msgspec.Meta(description="`amount` as a decimal string in major units (`100.00`).")]
    unit_price: Annotated[
        str, msgspec.Meta(description=("Money per credit, a decimal string in major units (`0.0909`)."))
    ]


class Package(msgspec.Struct):
    """A credit pack on sale: one-time, or every month or year."""

    id: Annotated[str, msgspec.Meta(description="The pack's id in the tenant's settings (`standard`, `tokens-1k`).")]
    name: Annotated[str, msgspec.Meta(description="The pack's display name.")]
    description: Annotated[str | None, msgspec.Meta(description="A line to show with it; null: none.")]
    credits: Annotated[int, msgspec.Meta(description="Credits the pack gives.")]
    bonus_credits: Annotated[int, msgspec.Meta(description="Credits given on top; 0: none.")]
    total_credits: Annotated[int, msgspec.Meta(description="`credits` plus `bonus_credits`.")]
    interval: Annotated[
        str | None,
        msgspec.Meta(
            description=("`month` or `year` for a recurring pack, paid and granted each period; null: one-time.")
        ),
    ]
    expires_after: Annotated[
        Expiry | None,
        msgspec.Meta(description=("How long its credits last after each payment; null: they never expire.")),
    ]
    prices: Annotated[list[PackagePrice], msgspec.Meta(description="Its price in each currency it is sold in.")]


class PackageList(Page[Package]):
    """The packs on sale, answered whole, with every currency one is sold in."""

    data: Annotated[
        list[Package],
        msgspec.Meta(
            description=("The packs, in the order of the settings (only those priced in `currency` when asked).")
        ),
    ]
    currencies: Annotated[list[str], msgspec.Meta(description="Every currency a pack is sold in.")]
    default_currency: Annotated[
        str | None,
        msgspec.Meta(description=("The currency an order without one is paid in; null: the pack's only one.")),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "data": [
                {
                    "id": "standard",
                    "name": "标准包",
                    "description": None,
                    "credits": 1000,
                    "bonus_credits": 100,
                    "total_credits": 1100,
                    "interval": None,
                    "expires_after": {"months": 6, "days": 0},
                    "prices": [
                        {"currency": "cny", "amount": 10000, "display_amount": "100.00", "unit_price": "0.0909"}
                    ],
                }
            ],
            "has_more": False,
            "next_cursor": None,
            "currencies": ["cny"],
            "default_currency": "cny",
        },
    )


class OrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An order of one pack, paid in Stripe Checkout; the credits are granted when the payment succeeds."""

    package: Annotated[str, msgspec.Meta(min_length=1, max_length=64, description="The pack's id (`GET /packages`).")]
    success_url: Annotated[
        Url | None,
        msgspec.Meta(
            description=(
                "Where Stripe sends the customer after paying in Checkout: required without `payment_method` "
                "(400 `success_url_required`), unused with one."
            )
        ),
    ] = None
    currency: Annotated[
        Currency | None,
        msgspec.Meta(
            description=("The currency to pay in; null: the tenant's `default_currency`, else the pack's only one.")
        ),
    ] = None
    cancel_url: Annotated[
        Url | None, msgspec.Meta(description=("Where Stripe sends a customer who gives up; null: `success_url`."))
    ] = None
    promotion_code: (
        Annotated[
            str,
            msgspec.Meta(
                min_length=1,
                max_length=255,
                description="The code the customer typed (`SPRING20`) or a promotion code id (`promo_...`); null: none",
            ),
        ]
        | None
    ) = None
    payment_method: Annotated[
        PaymentMethodId | None,
        msgspec.Meta(
            description=(
                "A card saved on the customer (`GET .../payment-methods`): a one-time pack is charged to it now, "
                "off-session, without Checkout (no `success_url` needed); a refused card answers 402 "
                "(`card_declined` with Stripe's `decline_code`, or `requires_action` for 3-D Secure). null: Checkout."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"package": "tokens-1k", "currency": "eur", "success_url": "https://fiko.example.com/billing/done"},
        {"package": "standard", "success_url": "https://creditshop.example.com/pay/done"},
        {"package": "standard", "payment_method": "pm_1Pgc75B7WZ01zgkWlHVgdEGJ"},
    )


class Dispute(msgspec.Struct):
    """A chargeback on a payment, and what it did to the credits."""

    id: Annotated[str, msgspec.Meta(description="The Stripe dispute (`dp_...`).")]
    status: Annotated[str, msgspec.Meta(description="Stripe's dispute status (`needs_response`, `won`, `lost`, ...).")]
    amount: Annotated[int, msgspec.Meta(description="Money disputed, in minor units of `currency`.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    credits: Annotated[int, msgspec.Meta(description="Credits the disputed amount bought.")]
    credits_held: Annotated[int, msgspec.Meta(description="Credits taken back when the dispute opened.")]
    credits_restored: Annotated[int, msgspec.Meta(description="Credits given back when it was won.")]
    credits_clawed_back: Annotated[int, msgspec.Meta(description="Credits kept back for good when it was lost.")]


class Payment(msgspec.Struct):
    """One payment of an order (a recurring pack has one per period) and the credits it granted."""

    id: Annotated[str, msgspec.Meta(description="The payment's id, to refund it alone (`RefundCreate.payment`).")]
    invoice_id: Annotated[
        str | None,
        msgspec.Meta(description=("The Stripe invoice (`in_...`) of a recurring pack's period; null: one-time.")),
    ]
    payment_intent_id: Annotated[
        str | None, msgspec.Meta(description=("The Stripe PaymentIntent (`pi_...`); null when Stripe gave none."))
    ]
    amount: Annotated[int, msgspec.Meta(description="Money paid, in minor units of `currency`.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    credits: Annotated[int, msgspec.Meta(description="Credits the payment granted.")]
    credits_expire_at: Annotated[
        dt.datetime | None, msgspec.Meta(description=("When those credits expire; null: never."))
    ]
    paid_at: Annotated[dt.datetime, msgspec.Meta(description="When the payment succeeded.")]
    period_start: Annotated[
        dt.datetime | None,
        msgspec.Meta(description=("The start of the period paid for (recurring packs); null: one-time.")),
    ]
    period_end: Annotated[dt.datetime | None, msgspec.Meta(description="Its end; null: one-time.")]
    amount_refunded: Annotated[int, msgspec.Meta(description="Money refunded of it, in minor units of `currency`.")]
    credits_clawed_back: Annotated[int, msgspec.Meta(description="Credits taken back by its refunds and disputes.")]
    dispute: Annotated[Dispute | None, msgspec.Meta(description="Its chargeback; null: none.")]


class Refund(msgspec.Struct):
    """Money given back for an order's payment, and the credits taken back in proportion."""

    id: Annotated[str, msgspec.Meta(description="The refund's id.")]
    order_id: Annotated[str, msgspec.Meta(description="The order refunded.")]
    payment_id: Annotated[str, msgspec.Meta(description="The payment refunded.")]
    status: Annotated[
        RefundStatus, msgspec.Meta(description=("`pending` until Stripe answers, then `succeeded` or `failed`."))
    ]
    source: Annotated[
        Literal["api", "stripe"],
        msgspec.Meta(
            description=("`api`: asked here; `stripe`: made in Stripe's dashboard and learnt from its events.")
        ),
    ]
    amount: Annotated[int, msgspec.Meta(description="Money refunded, in minor units of `currency`.")]
    requested_amount: Annotated[
        int | None, msgspec.Meta(description=("Money asked for; null: all that was left to refund."))
    ]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    policy: Annotated[
        str,
        msgspec.Meta(description=("What was done with spent credits: `refuse`, `allow_negative` or `unspent_only`.")),
    ]
    credits: Annotated[int, msgspec.Meta(description="Credits the refunded money bought.")]
    credits_clawed_back: Annotated[int, msgspec.Meta(description="Credits taken back in all.")]
    credits_from_grant: Annotated[int, msgspec.Meta(description="Of them, credits the order's grant still had.")]
    credits_from_balance: Annotated[
        int, msgspec.Meta(description=("Of them, credits taken from the customer's other grants."))
    ]
    credits_as_debt: Annotated[
        int, msgspec.Meta(description=("Of them, credits the customer now owes (`allow_negative`)."))
    ]
    reason: Annotated[str | None, msgspec.Meta(description="The reason given; null: none.")]
    stripe_refund_id: Annotated[
        str | None, msgspec.Meta(description=("The Stripe refund (`re_...`); null until Stripe made it."))
    ]
    failure_code: Annotated[str | None, msgspec.Meta(description="Why it failed, as a code; null unless `failed`.")]
    failure_message: Annotated[str | None, msgspec.Meta(description="Why it failed, in words; null unless `failed`.")]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When it was asked for.")]
    succeeded_at: Annotated[dt.datetime | None, msgspec.Meta(description="When Stripe confirmed it; null until then.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "5e8f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "order_id": "2a6c9e1f-7b3d-4f5a-9c8e-1d2b3a4c5e6f",
            "payment_id": "8b1d3f5a-2c4e-4a6b-9d8f-0e1c2a3b4d5e",
            "status": "succeeded",
            "source": "api",
            "amount": 5000,
            "requested_amount": 5000,
            "currency": "cny",
            "policy": "refuse",
            "credits": 550,
            "credits_clawed_back": 550,
            "credits_from_grant": 550,
            "credits_from_balance": 0,
            "credits_as_debt": 0,
            "reason": "部分退款",
            "stripe_refund_id": "re_3QbC1x2eZvKYlo2C0a1b2c3d",
            "failure_code": None,
            "failure_message": None,
            "created_at": "2026-03-03T02:10:00Z",
            "succeeded_at": "2026-03-03T02:10:02Z",
        },
    )


class Order(msgspec.Struct):
    """An order of one pack: its payments, the credits they granted, and its refunds."""

    id: Annotated[str, msgspec.Meta(description="The order's id.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    package: Annotated[str, msgspec.Meta(description="The pack's id.")]
    package_name: Annotated[str, msgspec.Meta(description="The pack's display name when ordered.")]
    status: Annotated[
        OrderStatus,
        msgspec.Meta(
            description=(
                "`pending` until paid in Checkout; then `succeeded`, `failed`, `expired`, `refunded` or "
                "`partially_refunded`."
            )
        ),
    ]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    amount: Annotated[
        int, msgspec.Meta(description=("The pack's price, in minor units of `currency` (450 eur: 4.50 EUR)."))
    ]
    amount_discount: Annotated[int, msgspec.Meta(description="Money a promotion code took off, in minor units.")]
    amount_paid: Annotated[
        int, msgspec.Meta(description=("Money paid, in minor units (each period's, for a recurring pack)."))
    ]
    amount_refunded: Annotated[int, msgspec.Meta(description="Money refunded, in minor units.")]
    credits: Annotated[int, msgspec.Meta(description="Credits the pack gives.")]
    bonus_credits: Annotated[int, msgspec.Meta(description="Credits given on top.")]
    credits_granted: Annotated[
        int, msgspec.Meta(description=("Credits granted so far (each period's, for a recurring pack)."))
    ]
    credits_clawed_back: Annotated[int, msgspec.Meta(description="Credits taken back by refunds and disputes.")]
    interval: Annotated[str | None, msgspec.Meta(description="`month` or `year` for a recurring pack; null: one-time.")]
    promotion_code: Annotated[str | None, msgspec.Meta(description="The promotion code applied; null: none.")]
    payment_url: Annotated[
        str | None,
        msgspec.Meta(description=("Stripe Checkout's page while the order is pending; null once paid or closed.")),
    ]
    checkout_session_id: Annotated[str | None, msgspec.Meta(description="The Stripe Checkout session (`cs_...`).")]
    subscription_id: Annotated[
        str | None, msgspec.Meta(description=("The Stripe subscription of a recurring pack; null: one-time."))
    ]
    failure_code: Annotated[
        str | None, msgspec.Meta(description=("Why the payment failed, as a code; null unless `failed`."))
    ]
    failure_message: Annotated[str | None, msgspec.Meta(description="Why it failed, in words; null unless `failed`.")]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When it was ordered.")]
    paid_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it was first paid; null until then.")]
    payments: Annotated[list[Payment], msgspec.Meta(description="Its payments, oldest first.")]
    refunds: Annotated[list[Refund], msgspec.Meta(description="Its refunds, oldest first.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "7c3e5a1b-9d2f-4b6a-8e0c-3f1a2b4c6d8e",
            "customer": "maria",
            "package": "tokens-1k",
            "package_name": "1K tokens",
            "status": "succeeded",
            "currency": "eur",
            "amount": 450,
            "amount_discount": 0,
            "amount_paid": 450,
            "amount_refunded": 0,
            "credits": 1000,
            "bonus_credits": 0,
            "credits_granted": 1000,
            "credits_clawed_back": 0,
            "interval": None,
            "promotion_code": None,
            "payment_url": None,
            "checkout_session_id": "cs_test_b9C8d7E6f5",
            "subscription_id": None,
            "failure_code": None,
            "failure_message": None,
            "created_at": "2026-03-02T14:00:00Z",
            "paid_at": "2026-03-02T14:01:12Z",
            "payments": [
                {
                    "id": "4d6f8a0b-1c3e-4a5b-8c7d-9e0f1a2b3c4d",
                    "invoice_id": None,
                    "payment_intent_id": "pi_3QbC0a2eZvKYlo2C1x2y3z4w",
                    "amount": 450,
                    "currency": "eur",
                    "credits": 1000,
                    "credits_expire_at": None,
                    "paid_at": "2026-03-02T14:01:12Z",
                    "period_start": None,
                    "period_end": None,
                    "amount_refunded": 0,
                    "credits_clawed_back": 0,
                    "dispute": None,
                }
            ],
            "refunds": [],
        },
    )


class RefundCreate(msgspec.Struct, forbid_unknown_fields=True):
    """`amount` in minor units (None: all that is left to refund); `payment` picks a recurring pack's period."""

    amount: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1, description=("Money to refund, in minor units of the order's currency; null: all that is left.")
            ),
        ]
        | None
    ) = None
    reason: Annotated[str, msgspec.Meta(max_length=500, description="Why, for the records; null: none.")] | None = None
    payment: Annotated[
        str | None, msgspec.Meta(description=("The payment to refund (a recurring pack's period); null: the latest."))
    ] = None
    policy: Annotated[
        RefundPolicy | None,
        msgspec.Meta(
            description=(
                "What to do with spent credits, over the tenant's `refund_policy`: `refuse`, `allow_negative`, "
                "`unspent_only`; null: the tenant's."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = ({"amount": 5000, "reason": "部分退款"}, {"reason": "未使用"})
