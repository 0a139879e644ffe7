"""What an Idempotency-Key is: its shape, the fingerprint of the request it names, and the keys derived for Stripe."""

from __future__ import annotations

import hashlib
import re
from typing import Any, Final

import msgspec

from core.errors import BadRequest

HEADER: Final = "Idempotency-Key"
PATTERN: Final = r"^[\x21-\x7e]{1,255}$"
KEY: Final = re.compile(PATTERN[1:-1])
DESCRIPTION: Final = (
    "Makes the request safe to retry: 1-255 printable ASCII characters without spaces, chosen by the caller "
    "(a UUID, or the id of the job that pays). Keys are the tenant's, per operation, and bound to the request: "
    "its path, query and body. The first answer is kept with its status and given again, byte for byte, to "
    "every repeat of the same request, which does nothing more; the same key with another request is 409 "
    "`idempotency_key_reused`. A repeat sent while the first is still running waits for its answer. A refused "
    "request (any 4xx or 5xx) keeps nothing: the key stays unused and a retry runs afresh. Keys are kept as "
    "long as what they made: never reuse one for another request."
)


def check_key(key: str | None) -> str | None:
    """None, or 1-255 printable ASCII characters without spaces (400 `invalid_idempotency_key`)."""
    if key is not None and not KEY.fullmatch(key):
        raise BadRequest(
            "An Idempotency-Key is 1-255 printable ASCII characters without spaces.", code="invalid_idempotency_key"
        )
    return key


def request_hash(*parts: Any) -> str:
    """The fingerprint a key is stored with: the same parts, in any key order of their mappings, hash the same."""
    return hashlib.sha256(msgspec.json.encode(parts, order="sorted")).hexdigest()


def stripe_key(kind: str, tenant: str, *parts: object) -> str:
    """Stripe's idempotency key for a POST made for a client's keyed request: the same request, the same key.

    A retry whose first attempt reached Stripe but was rolled back here (the process died before
    the commit) asks Stripe under the same key and gets the first object back, not a second one.
    """
    return f"tollgate:{kind}:{request_hash(tenant, *parts)[:40]}"
