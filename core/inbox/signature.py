"""Stripe's webhook signature scheme (`Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`), checked
with the stripe SDK's own `WebhookSignature.verify_header` against each of the tenant's secrets (rotation).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import stripe


def signature_matches(payload: str, header: str, secrets: Sequence[str], tolerance: int) -> bool:
    """True when `header` signs `payload` with one of `secrets`, at most `tolerance` seconds from now.

    `payload` is the body Stripe sent, decoded from UTF-8 by the caller. A tolerance of 0 turns
    the time check off, as in Stripe's library. A malformed header (even a non-ASCII one the SDK cannot compare) is
    simply not a match: the caller answers 400.
    """
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
        except (stripe.SignatureVerificationError, ValueError, TypeError):
            continue
        # The SDK refuses a timestamp too far in the past only: one as far ahead would let a captured
        # delivery be replayed until then. Its clock is the SDK's (the system's, as Stripe's), not the
        # platform clock tests move.
        return not tolerance or _signed_at(header) <= time.time() + tolerance
    return False


def _signed_at(header: str) -> int:
    """The header's `t`, read as the SDK reads it (the SDK has parsed this header already)."""
    items = [item.split("=", 2) for item in header.split(",")]
    return int(next(item[1] for item in items if item[0] == "t"))
