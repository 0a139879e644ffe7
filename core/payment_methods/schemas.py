"""Wire shapes for saved payment methods."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples


class SetupIntent(msgspec.Struct):
    """A Stripe SetupIntent the app's payment form (Stripe Elements) confirms to save a card."""

    id: Annotated[str, msgspec.Meta(description="The Stripe SetupIntent (`seti_...`).")]
    client_secret: Annotated[
        str, msgspec.Meta(description="What Stripe.js `confirmSetup`/`confirmCardSetup` takes in the browser.")
    ]
    status: Annotated[
        str,
        msgspec.Meta(
            description="Stripe's status: `requires_payment_method` until the form sends a card, `requires_action` "
            "during 3-D Secure, then `succeeded` (the card is saved on the customer)."
        ),
    ]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "seti_1Pgag7B7WZ01zgkWSgwGdb8Z",
            "client_secret": "seti_1Pgag7B7WZ01zgkWSgwGdb8Z_secret_QXg2AQLdBxJwtY51IkwvUaBVsnCqPSp",
            "status": "requires_payment_method",
            "customer": "acme",
        },
    )


class PaymentMethod(msgspec.Struct):
    """A card saved on the customer's Stripe customer."""

    id: Annotated[str, msgspec.Meta(description="The Stripe PaymentMethod (`pm_...`).")]
    type: Annotated[Literal["card"], msgspec.Meta(description="Always `card`.")]
    brand: Annotated[str, msgspec.Meta(description="The card's brand: `visa`, `mastercard`, `amex`, ...")]
    last4: Annotated[str, msgspec.Meta(description="The card number's last four digits.")]
    exp_month: Annotated[int, msgspec.Meta(description="Expiry month, 1-12.")]
    exp_year: Annotated[int, msgspec.Meta(description="Expiry year, four digits.")]
    default: Annotated[
        bool, msgspec.Meta(description="Whether invoices (subscription renewals) are charged to this card.")
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "pm_1Pgc75B7WZ01zgkWlHVgdEGJ",
            "type": "card",
            "brand": "visa",
            "last4": "4242",
            "exp_month": 8,
            "exp_year": 2030,
            "default": True,
        },
    )
