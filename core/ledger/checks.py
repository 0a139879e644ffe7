"""The checks every ledger request passes: whole credit amounts, idempotency keys and the fingerprint a
key is stored with; and the 402 for a customer with too few credits."""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import BadRequest, PaymentRequired
from core.idempotency.keys import check_key as check_idempotency_key
from core.idempotency.keys import request_hash

__all__ = ["check_credits", "check_idempotency_key", "insufficient", "request_hash", "spend_request"]

MAX_CREDITS = 10**15


def spend_request(
    amount: int, reason: str | None, metadata: Mapping[str, str] | None, key: str | None
) -> tuple[dict[str, str], str | None]:
    """A spend's checked input: (its metadata, the fingerprint its idempotency key is stored with), or 400."""
    check_credits(amount)
    check_idempotency_key(key)
    meta = dict(metadata or {})
    return meta, request_hash("spend", amount, reason, meta) if key else None


def check_credits(amount: int, what: str = "amount") -> int:
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount <= MAX_CREDITS:
        raise BadRequest(f"`{what}` must be a whole number of credits above zero.", code="invalid_amount")
    return amount


def insufficient(balance: int, amount: int) -> PaymentRequired:
    """402 `insufficient_credits`: what the customer has and what was asked."""
    return PaymentRequired(
        f"The customer has {balance} credits; {amount} are needed.",
        code="insufficient_credits",
        detail={"balance": balance, "requested": amount},
    )
