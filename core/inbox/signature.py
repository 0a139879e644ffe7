"""Stripe's webhook signature scheme (`Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`), checked in place.

The same answers as `stripe.WebhookSignature.verify_header` (tests/inbox/test_signature.py compares
them), without its exceptions and re-encoding on the ingest hot path: HMAC-SHA256 over
`b"<t>." + body` with each secret, compared in constant time with every `v1` signature, then the
timestamp checked against the tolerance.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

SCHEME = "v1"


def parse_header(header: str) -> tuple[int, list[bytes]] | None:
    """The timestamp and the `v1` signatures of a header, or None when it is malformed (Stripe's parsing)."""
    timestamp: int | None = None
    signatures: list[bytes] = []
    for item in header.split(","):
        key, sep, value = item.partition("=")
        if key == "t":
            if not sep:
                return None
            if timestamp is None:
                try:
                    timestamp = int(value.split("=", 1)[0])
                except ValueError:
                    return None
        elif key == SCHEME:
            if not sep:
                return None
            # Stripe keeps what lies between the first and second "="; a non-ASCII value can never match.
            signatures.append(value.split("=", 1)[0].encode("utf-8", "surrogatepass"))
    if timestamp is None or not signatures:
        return None
    return timestamp, signatures


def signature_matches(
    body: bytes, header: str, secrets: Sequence[str], tolerance: int, now: float | None = None
) -> bool:
    """True when `header` signs `body` with one of `secrets`, no more than `tolerance` seconds ago.

    `body` must be the UTF-8 bytes Stripe sent (the caller checks they decode). A tolerance of 0 turns
    the age check off, as in Stripe's library; a timestamp in the future is accepted, as there.
    """
    parsed = parse_header(header)
    if parsed is None:
        return False
    timestamp, signatures = parsed
    signed = b"%d." % timestamp + body
    for secret in secrets:
        if not secret.strip(" \t\r\n\f\v"):
            continue
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest().encode()
        # Every comparison runs, so how many signatures matched leaks nothing through time.
        if sum(hmac.compare_digest(expected, s) for s in signatures):
            break
    else:
        return False
    return not (tolerance and timestamp < (time.time() if now is None else now) - tolerance)
