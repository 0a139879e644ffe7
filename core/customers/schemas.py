"""Wire shapes for customers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from core.fields import Metadata

Email = Annotated[str, msgspec.Meta(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class CustomerUpsert(msgspec.Struct, forbid_unknown_fields=True):
    email: Email | None = None
    name: Annotated[str, msgspec.Meta(max_length=255)] | None = None
    metadata: Metadata = {}


class Customer(msgspec.Struct):
    id: str
    email: str | None
    name: str | None
    metadata: dict[str, str]
    stripe_customer_id: str | None
    created_at: dt.datetime
