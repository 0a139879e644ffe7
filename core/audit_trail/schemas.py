"""Wire shape of the audit trail (admin API)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar

import msgspec

from core.fields import Examples

_RECORD_EXAMPLE = {
    "id": "0193a4f2-7c1d-7e3a-9b2c-5d6e7f8a9b0c",
    "seq": 42,
    "occurred_at": "2026-12-06T05:10:00Z",
    "principal": "back-office",
    "request_id": "5f0c9a1e2b3d4c5e",
    "source_ip": "203.0.113.7",
    "action": "ledger.grant",
    "target": "customer:acme",
    "before": None,
    "after": {"grant": "0193a4f2-7c1d-7e3a-9b2c-5d6e7f8a9b0d", "credits": 500, "reference": "promo-1"},
    "prev_hash": "3b5d5c3712955042212316173ccf37be800ce9b3f3e0e4e4b0c4c5e3d8b0f1a2",
    "hash": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
}


class AuditRecord(msgspec.Struct):
    """One state-changing call: when, by whom, from where, what it did to what, and what changed."""

    id: Annotated[str, msgspec.Meta(description="The record's id.")]
    seq: Annotated[int, msgspec.Meta(description="The record's place in the tenant's chain: 1, 2, 3...")]
    occurred_at: Annotated[dt.datetime, msgspec.Meta(description="When the change was made (UTC).")]
    principal: Annotated[
        str,
        msgspec.Meta(
            description="Who made it: an API key's name, `jwt:<customer>` for an end-user token, `system:<job>`."
        ),
    ]
    request_id: Annotated[str | None, msgspec.Meta(description="The request's `X-Request-Id`; null outside one.")]
    source_ip: Annotated[str | None, msgspec.Meta(description="The caller's address; null for jobs.")]
    action: Annotated[str, msgspec.Meta(description="What was done: `ledger.grant`, `customer.update`, ...")]
    target: Annotated[str, msgspec.Meta(description="What it was done to: `customer:<id>`, `event:<id>`, ...")]
    before: Annotated[dict[str, Any] | None, msgspec.Meta(description="The changed fields before; null: none.")]
    after: Annotated[dict[str, Any] | None, msgspec.Meta(description="The changed fields after; null: none.")]
    prev_hash: Annotated[
        str, msgspec.Meta(description="The hash of the tenant's previous record; empty for its first.")
    ]
    hash: Annotated[str, msgspec.Meta(description="SHA-256 of this record's fields and `prev_hash`.")]

    schema_examples: ClassVar[Examples] = (_RECORD_EXAMPLE,)
