"""Wire shapes of the ledger: what clients send (`*Create`) and what the ledger answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.fields import Metadata

Credits = Annotated[int, msgspec.Meta(gt=0, le=10**15)]
Reason = Annotated[str, msgspec.Meta(max_length=255)]
Priority = Annotated[int, msgspec.Meta(ge=0, le=100)]
Source = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_.:-]+$")]
SourceRef = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]

EntryKind = Literal["grant", "spend", "hold", "capture", "release", "expire", "refund", "clawback", "adjust"]
HoldStatus = Literal["active", "captured", "released", "expired"]


class SpendCreate(msgspec.Struct, forbid_unknown_fields=True):
    credits: Credits
    reason: Reason | None = None
    metadata: Metadata = {}


class HoldCreate(msgspec.Struct, forbid_unknown_fields=True):
    credits: Credits
    ttl_seconds: Annotated[int, msgspec.Meta(ge=1)] | None = None
    reason: Reason | None = None
    metadata: Metadata = {}


class HoldCapture(msgspec.Struct, forbid_unknown_fields=True):
    """Capture all of the hold (no `credits`) or part of it; the rest is released."""

    credits: Credits | None = None


class GrantCreate(msgspec.Struct, forbid_unknown_fields=True):
    credits: Credits
    priority: Priority = 50
    expires_at: dt.datetime | None = None
    # Idempotency: a second grant with the same reference returns the first one.
    reference: SourceRef | None = None
    reason: Reason | None = None
    metadata: Metadata = {}


class ClawbackCreate(msgspec.Struct, forbid_unknown_fields=True):
    source: Source
    source_ref: SourceRef
    credits: Credits | None = None
    policy: Literal["down_to_zero", "allow_negative"] | None = None
    reason: Reason | None = None


class Allocation(msgspec.Struct):
    grant_id: str
    credits: int


class Grant(msgspec.Struct):
    id: str
    customer: str
    credits: int
    remaining: int
    reserved: int
    consumed: int
    expired: int
    clawed_back: int
    priority: int
    expires_at: dt.datetime | None
    source: str
    source_ref: str
    reason: str | None
    metadata: dict[str, str]
    created_at: dt.datetime


class Spend(msgspec.Struct):
    entry_id: str
    customer: str
    credits: int
    charged: int
    balance: int
    unlimited: bool
    allocations: list[Allocation]
    reason: str | None
    metadata: dict[str, str]
    created_at: dt.datetime


class Hold(msgspec.Struct):
    id: str
    customer: str
    credits: int
    captured: int
    status: HoldStatus
    unlimited: bool
    expires_at: dt.datetime
    balance: int
    reason: str | None
    metadata: dict[str, str]
    created_at: dt.datetime


class Clawback(msgspec.Struct):
    customer: str
    source: str
    source_ref: str
    requested: int
    clawed_back: int
    from_grant: int
    from_balance: int
    debt: int
    balance: int


class GrantBalance(msgspec.Struct):
    id: str
    source: str
    remaining: int
    reserved: int
    priority: int
    expires_at: dt.datetime | None


class NextExpiry(msgspec.Struct):
    at: dt.datetime
    credits: int


class Balance(msgspec.Struct):
    customer: str
    balance: int
    held: int
    debt: int
    unlimited: bool
    unlimited_until: dt.datetime | None
    grants: list[GrantBalance]
    next_expiry: NextExpiry | None


class Entry(msgspec.Struct):
    id: str
    seq: int
    kind: EntryKind
    # Credits the entry moved: positive in, negative out.
    credits: int
    balance_after: int
    requested: int | None
    reference: str | None
    reason: str | None
    metadata: dict[str, str]
    created_at: dt.datetime
