"""The charge that took a payment and Stripe's receipt of it, as the payments timeline links to them."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, NamedTuple

import stripe

logger = logging.getLogger("tollgate.payments")


class Receipt(NamedTuple):
    charge_id: str
    receipt_url: str | None


async def receipt_of(client: stripe.StripeClient, intent: str | Mapping[str, Any] | None) -> Receipt | None:
    """The latest charge of a PaymentIntent (its id, or the object as an event carries it) and its receipt.

    Asks Stripe once, unless `latest_charge` came expanded. A receipt is a link to show, never a reason to
    hold up credits: when Stripe cannot answer, the payment is recorded without one (None).
    """
    if intent is None:
        return None
    try:
        if isinstance(intent, Mapping):
            charge = intent.get("latest_charge")
            if isinstance(charge, str):
                charge = (await client.v1.charges.retrieve_async(charge)).to_dict()
        else:
            found = await client.v1.payment_intents.retrieve_async(intent, {"expand": ["latest_charge"]})
            charge = found.to_dict().get("latest_charge")
    except stripe.StripeError as exc:
        logger.warning(
            "no receipt for PaymentIntent %s: %s", intent if isinstance(intent, str) else intent.get("id"), exc
        )
        return None
    if not isinstance(charge, Mapping):
        return None
    return Receipt(str(charge["id"]), charge.get("receipt_url"))
