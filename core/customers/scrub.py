"""Scrubbing a stored JSON document (a Stripe event, a notice's data) of an erased customer's personal data.

Personal fields are nulled wherever they are (Stripe's customer, charge and checkout shapes), and every
string that names the customer is replaced: its app id by the pseudonym, its email by the tombstone.
At erasure the values are known (`KnownCustomer`); afterwards only their keyed digests are
(`DigestedCustomer`, for Stripe events that arrive about the deleted Stripe customer later).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from core.customers.tables import TOMBSTONE, Identity

# Keys whose value is personal wherever it appears in a Stripe object (or a notice's data).
PERSONAL_KEYS = frozenset(
    {
        "email",
        "name",
        "phone",
        "address",
        "shipping",
        "billing_details",
        "customer_email",
        "customer_name",
        "customer_details",
        "customer_phone",
        "customer_address",
        "customer_shipping",
        "receipt_email",
        "description",
    }
)

Replace = Callable[[str], str]


def scrub(document: Any, replace: Replace) -> Any:
    """A copy of the JSON document with personal keys nulled and every other string passed to `replace`."""
    if isinstance(document, dict):
        return {
            key: (None if key in PERSONAL_KEYS and value is not None else scrub(value, replace))
            for key, value in document.items()
        }
    if isinstance(document, list):
        return [scrub(value, replace) for value in document]
    if isinstance(document, str):
        return replace(document)
    return document


def digest(salt: str, value: str) -> str:
    """The keyed digest an erasure keeps of a value it erased (HMAC-SHA256 under the tenant's salt)."""
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class KnownCustomer:
    """Replacing, at erasure, the strings that name the customer: its values are still known."""

    identity: Identity
    pseudonym: str

    def __call__(self, text: str) -> str:
        email = self.identity.email
        if email and email in text:
            text = text.replace(email, TOMBSTONE)
        return self.identity.embedded().sub(self.pseudonym, text)


@dataclass(frozen=True)
class DigestedCustomer:
    """Replacing, after the erasure, strings whose digest is the erased app id's or email's."""

    salt: str
    customer_digest: str
    email_digest: str | None
    pseudonym: str

    def __call__(self, text: str) -> str:
        found = digest(self.salt, text)
        if hmac.compare_digest(found, self.customer_digest):
            return self.pseudonym
        if self.email_digest and hmac.compare_digest(found, self.email_digest):
            return TOMBSTONE
        return text


def replacing_all(replacers: Sequence[Replace]) -> Replace:
    def replace(text: str) -> str:
        for one in replacers:
            text = one(text)
        return text

    return replace


STRIPE_CUSTOMER = re.compile(r"cus_[A-Za-z0-9]+")
