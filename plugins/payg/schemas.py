"""Wire shapes and the per-tenant settings block (`tenants.<slug>.payg`) of pay-as-you-go."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples, PaymentMethodId
from core.money import Currency

Positive = Annotated[int, msgspec.Meta(ge=1)]
PriceName = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]
PurchaseStatus = Literal["pending", "succeeded", "failed"]


class CreditPrice(msgspec.Struct, forbid_unknown_fields=True):
    """`unit_amount` minor units buy `credits` credits (a purchase is rounded up to the minor unit)."""

    unit_amount: Positive
    credits: Positive = 1


class CreditPack(msgspec.Struct, forbid_unknown_fields=True):
    """A named price bought by quantity: each unit costs `unit_amount` and gives `credits`."""

    currency: Currency
    unit_amount: Positive
    credits: Positive
    name: str | None = None


class PaygConfig(msgspec.Struct, forbid_unknown_fields=True):
    """`tenants.<slug>.payg`."""

    prices: dict[Currency, CreditPrice] = {}
    packs: dict[PriceName, CreditPack] = {}
    min_credits: Positive = 1
    max_credits: Positive = 1_000_000
    max_quantity: Positive = 100
    # Purchased credits expire this many days after the payment (None: never).
    expires_in_days: Positive | None = 180
    priority: Annotated[int, msgspec.Meta(ge=0, le=100)] = 50

    def __post_init__(self) -> None:
        if self.min_credits > self.max_credits:
            raise ValueError("min_credits is above max_credits")


class CreditPurchaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Either `credits` (with `currency` when several are offered) or `price` and `quantity`."""

    credits: Annotated[
        Positive | None,
        msgspec.Meta(
            description=(
                "Credits to buy, priced by the tenant's credit price in `currency`; null: buy `price` by `quantity`."
            )
        ),
    ] = None
    currency: Annotated[
        Currency | None,
        msgspec.Meta(description=("The currency to pay in, with `credits`; null: the only one offered.")),
    ] = None
    price: Annotated[
        PriceName | None,
        msgspec.Meta(
            description=(
                "A pack's name in the settings or a synced Stripe price id (`GET /credit-prices`); null: buy `credits`."
            )
        ),
    ] = None
    quantity: Annotated[
        Positive | None, msgspec.Meta(description=("How many of `price`, up to `max_quantity`; null: one."))
    ] = None
    payment_method: Annotated[
        PaymentMethodId | None,
        msgspec.Meta(
            description=(
                "A card saved on the customer (`GET .../payment-methods`): charged now, off-session; a refused card "
                "answers 402 (`card_declined` with Stripe's `decline_code`, or `requires_action` for 3-D Secure). "
                "null: answer a `client_secret` for the app's payment form."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"credits": 2000, "currency": "usd"},
        {"price": "boost-1000", "quantity": 2},
        {"credits": 500, "currency": "usd", "payment_method": "pm_1Pgc75B7WZ01zgkWlHVgdEGJ"},
    )


class CreditPriceOption(msgspec.Struct):
    """Credits by count in one currency: `unit_amount` minor units buy `credits` credits."""

    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    unit_amount: Annotated[int, msgspec.Meta(description="Money in minor units of `currency` (100 usd: 1.00 USD).")]
    credits: Annotated[int, msgspec.Meta(description="Credits that `unit_amount` buys.")]


class CreditPackOption(msgspec.Struct):
    """A pack bought by quantity: each one costs `unit_amount` and gives `credits`."""

    price: Annotated[
        str,
        msgspec.Meta(description=("What to pass as `price`: the pack's name in the settings or a Stripe price id.")),
    ]
    name: Annotated[str | None, msgspec.Meta(description="Its display name; null: none.")]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    unit_amount: Annotated[int, msgspec.Meta(description="Money per pack, in minor units of `currency`.")]
    credits: Annotated[int, msgspec.Meta(description="Credits per pack.")]
    source: Annotated[
        Literal["settings", "catalog"],
        msgspec.Meta(
            description=(
                "`settings`: the tenant's settings; `catalog`: a synced Stripe price with `credit_amount` metadata."
            )
        ),
    ]


class CreditPrices(msgspec.Struct):
    """What pay-as-you-go credits cost, and the limits of one purchase."""

    prices: Annotated[list[CreditPriceOption], msgspec.Meta(description="Credits by count, one price per currency.")]
    packs: Annotated[list[CreditPackOption], msgspec.Meta(description="Packs bought by quantity.")]
    min_credits: Annotated[int, msgspec.Meta(description="The fewest credits one purchase by count may buy.")]
    max_credits: Annotated[int, msgspec.Meta(description="The most credits one purchase may buy.")]
    max_quantity: Annotated[int, msgspec.Meta(description="The most packs one purchase may buy.")]
    expires_in_days: Annotated[
        int | None,
        msgspec.Meta(description=("Days purchased credits last after the payment; null: they never expire.")),
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "prices": [
                {"currency": "usd", "unit_amount": 100, "credits": 100},
                {"currency": "eur", "unit_amount": 95, "credits": 100},
            ],
            "packs": [
                {
                    "price": "boost-1000",
                    "name": "Boost 1,000",
                    "currency": "usd",
                    "unit_amount": 900,
                    "credits": 1000,
                    "source": "settings",
                }
            ],
            "min_credits": 100,
            "max_credits": 100000,
            "max_quantity": 10,
            "expires_in_days": 365,
        },
    )


class CreditPurchase(msgspec.Struct):
    """A purchase of credits by PaymentIntent: granted when the payment succeeds."""

    id: Annotated[str, msgspec.Meta(description="The purchase's id.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    status: Annotated[
        PurchaseStatus,
        msgspec.Meta(description=("`pending` until Stripe confirms the payment, then `succeeded` or `failed`.")),
    ]
    credits: Annotated[int, msgspec.Meta(description="Credits bought.")]
    amount: Annotated[
        int, msgspec.Meta(description=("Money to pay, in minor units of `currency` (2000 usd: 20.00 USD)."))
    ]
    currency: Annotated[str, msgspec.Meta(description="ISO 4217 currency, lowercase.")]
    price: Annotated[
        str | None, msgspec.Meta(description=("The pack or Stripe price bought by quantity; null: bought by count."))
    ]
    quantity: Annotated[int | None, msgspec.Meta(description="How many of `price`; null: bought by count.")]
    payment_intent_id: Annotated[
        str | None, msgspec.Meta(description=("The Stripe PaymentIntent (`pi_...`); null until made."))
    ]
    client_secret: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "The PaymentIntent's secret the frontend confirms the payment with; only in the answer to the POST "
                "(and its replays) without `payment_method`, else null."
            )
        ),
    ]
    grant_id: Annotated[str | None, msgspec.Meta(description="The ledger grant of the credits; null until paid.")]
    failure_code: Annotated[
        str | None, msgspec.Meta(description=("Why the payment failed, as a code; null unless `failed`."))
    ]
    failure_message: Annotated[str | None, msgspec.Meta(description="Why it failed, in words; null unless `failed`.")]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When the purchase was made.")]
    paid_at: Annotated[dt.datetime | None, msgspec.Meta(description="When the payment succeeded; null until then.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "3f5a7c9e-1b2d-4e6f-8a0c-2d4f6b8a0c1e",
            "customer": "acme",
            "status": "pending",
            "credits": 2000,
            "amount": 1800,
            "currency": "usd",
            "price": "boost-1000",
            "quantity": 2,
            "payment_intent_id": "pi_3QbD4e2eZvKYlo2C0f9g8h7i",
            "client_secret": "pi_3QbD4e2eZvKYlo2C0f9g8h7i_secret_Xy7Zq",
            "grant_id": None,
            "failure_code": None,
            "failure_message": None,
            "created_at": "2026-03-02T09:18:00Z",
            "paid_at": None,
        },
    )
