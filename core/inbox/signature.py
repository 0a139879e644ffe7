"""Stripe's webhook signature scheme (`Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`), checked
with the stripe SDK's own `WebhookSignature.verify_header` against each of the tenant's secrets (rotation).
"""

from __future__ import annotations

from collections.abc import Sequence

import stripe


def signature_matches(payload: str, header: str, secrets: Sequence[str], tolerance: int) -> bool:
    """True when `header` signs `payload` with one of `secrets`, no more than `tolerance` seconds ago.

    `payload` is the body Stripe sent, decoded from UTF-8 by the caller. A tolerance of 0 turns
    the age check off, as in Stripe's library. A malformed header (even a non-ASCII one the SDK cannot compare) is
    simply not a match: the caller answers 400.
    """
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
        except (stripe.SignatureVerificationError, ValueError, TypeError):
            continue
        return True
    return False
