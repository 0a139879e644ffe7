"""Wire shapes of the ledger: what clients send (`*Create`) and what the ledger answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples, Metadata

Credits = Annotated[int, msgspec.Meta(ge=1, le=10**15)]
Reason = Annotated[str, msgspec.Meta(max_length=255)]
Priority = Annotated[int, msgspec.Meta(ge=0, le=100)]
Source = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z0-9_.:-]+$")]
SourceRef = Annotated[str, msgspec.Meta(min_length=1, max_length=255)]

EntryKind = Literal["grant", "spend", "hold", "capture", "release", "expire", "refund", "clawback", "adjust"]
HoldStatus = Literal["active", "captured", "released", "expired"]


class SpendCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Credits to take from the customer's balance now, in consumption order; refused whole (402) when short."""

    credits: Annotated[Credits, msgspec.Meta(description="Credits to spend, a positive integer.")]
    reason: Annotated[
        Reason | None,
        msgspec.Meta(description="Why, in the tenant app's words; shown in the ledger. Null: none given."),
    ] = None
    metadata: Metadata = {}

    schema_examples: ClassVar[Examples] = (
        {"credits": 20, "reason": "workflow run 42", "metadata": {"workflow_id": "wf_8Kd2", "run": "42"}},
        {"credits": 1, "reason": "generation flux-dev"},
    )


class HoldCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Credits to reserve before work whose cost is known only after it: captured or released later."""

    credits: Annotated[
        Credits, msgspec.Meta(description="Credits to reserve; they leave the balance now and are consumed at capture.")
    ]
    ttl_seconds: (
        Annotated[
            int,
            msgspec.Meta(
                ge=1,
                description=(
                    "Seconds until the hold releases itself; null: the tenant's `ledger.hold_ttl_seconds` (900)."
                ),
            ),
        ]
        | None
    ) = None
    reason: Annotated[
        Reason | None,
        msgspec.Meta(description="Why, in the tenant app's words; shown in the ledger. Null: none given."),
    ] = None
    metadata: Metadata = {}

    schema_examples: ClassVar[Examples] = (
        {"credits": 250, "ttl_seconds": 600, "reason": "workflow run 43"},
        {"credits": 2, "reason": "generation flux-schnell"},
    )


class HoldCapture(msgspec.Struct, forbid_unknown_fields=True):
    """Capture all of the hold (no `credits`) or part of it; the rest is released."""

    credits: Annotated[
        Credits | None, msgspec.Meta(description="Credits to consume, at most the hold's; null: all of them.")
    ] = None

    schema_examples: ClassVar[Examples] = ({"credits": 180}, {})


class GrantCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Credits an operator gives a customer (source `admin`): a welcome bonus, a goodwill credit."""

    credits: Annotated[Credits, msgspec.Meta(description="Credits to give.")]
    priority: Annotated[
        Priority,
        msgspec.Meta(description="Consumption order: 0 is spent first, 100 last; then the earliest to expire."),
    ] = 50
    expires_at: Annotated[
        dt.datetime | None, msgspec.Meta(description="When the credits left unspent expire (RFC 3339); null: never.")
    ] = None
    reference: Annotated[
        SourceRef | None,
        msgspec.Meta(
            description=(
                "Idempotency: a second grant with this reference returns the first one; null: the "
                "`Idempotency-Key` header, else none."
            )
        ),
    ] = None
    reason: Annotated[
        Reason | None, msgspec.Meta(description="Why, in the operator's words; shown in the ledger. Null: none given.")
    ] = None
    metadata: Metadata = {}

    schema_examples: ClassVar[Examples] = (
        {"credits": 500, "reference": "welcome-acme", "reason": "welcome bonus"},
        {"credits": 100, "priority": 10, "expires_at": "2026-12-31T23:59:59Z", "reason": "outage goodwill"},
    )


class ClawbackCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Take back what one grant gave: first what it still has, then what was spent of it from other grants."""

    source: Annotated[
        Source, msgspec.Meta(description="The grant's source: `admin`, `payg`, `token_packages`, `subscriptions`, ...")
    ]
    source_ref: Annotated[
        SourceRef,
        msgspec.Meta(
            description="The grant's reference within its source (a grant reference, a Stripe payment or invoice id)."
        ),
    ]
    credits: Annotated[
        Credits | None,
        msgspec.Meta(
            description="Credits to take back; null: all the grant gave that has not expired or been taken back."
        ),
    ] = None
    policy: Annotated[
        Literal["down_to_zero", "allow_negative"] | None,
        msgspec.Meta(
            description=(
                "`down_to_zero`: never below a zero balance; `allow_negative`: the shortfall becomes debt. "
                "Null: the tenant's `ledger.clawback`."
            )
        ),
    ] = None
    reason: Annotated[
        Reason | None, msgspec.Meta(description="Why, in the operator's words; shown in the ledger. Null: none given.")
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"source": "admin", "source_ref": "welcome-acme", "credits": 200, "reason": "bonus granted twice by hand"},
    )


class Allocation(msgspec.Struct):
    """What one spend took from one grant."""

    grant_id: Annotated[str, msgspec.Meta(description="The grant the credits came from.")]
    credits: Annotated[int, msgspec.Meta(description="Credits taken from that grant.")]


class Grant(msgspec.Struct):
    """Credits from one source (a payment, a plan period, an operator), spent in consumption order."""

    id: Annotated[str, msgspec.Meta(description="The grant's id.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    credits: Annotated[int, msgspec.Meta(description="Credits the grant gave.")]
    remaining: Annotated[
        int,
        msgspec.Meta(description="Credits not yet consumed, expired or taken back (some may be reserved by holds)."),
    ]
    reserved: Annotated[int, msgspec.Meta(description="Credits of `remaining` that active holds reserve.")]
    consumed: Annotated[int, msgspec.Meta(description="Credits spent or captured from this grant.")]
    expired: Annotated[int, msgspec.Meta(description="Credits that expired unspent.")]
    clawed_back: Annotated[
        int, msgspec.Meta(description="Credits taken back (refunds, disputes, clawbacks) or used to repay debt.")
    ]
    priority: Annotated[int, msgspec.Meta(description="Consumption order: 0 is spent first, 100 last.")]
    expires_at: Annotated[dt.datetime | None, msgspec.Meta(description="When what is left expires; null: never.")]
    source: Annotated[
        str,
        msgspec.Meta(
            description="Where the credits came from: `admin`, `payg`, `token_packages`, `subscriptions`, ..."
        ),
    ]
    source_ref: Annotated[
        str, msgspec.Meta(description="The grant's reference within its source; with `source`, unique per tenant.")
    ]
    reason: Annotated[str | None, msgspec.Meta(description="The reason given with the grant; null: none given.")]
    metadata: Annotated[dict[str, str], msgspec.Meta(description="The metadata given with the grant (string pairs).")]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When the grant was made.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "6f1c2a9e-3b7d-4c5e-9a1f-0d8e7b6c5a43",
            "customer": "acme",
            "credits": 500,
            "remaining": 500,
            "reserved": 0,
            "consumed": 0,
            "expired": 0,
            "clawed_back": 0,
            "priority": 50,
            "expires_at": None,
            "source": "admin",
            "source_ref": "welcome-acme",
            "reason": "welcome bonus",
            "metadata": {},
            "created_at": "2026-03-02T09:15:00Z",
        },
    )


class Spend(msgspec.Struct):
    """A spend done (or replayed for the same `Idempotency-Key`): what it took and the balance after it."""

    entry_id: Annotated[str, msgspec.Meta(description="The ledger entry that records the spend.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    credits: Annotated[int, msgspec.Meta(description="Credits asked for.")]
    charged: Annotated[
        int,
        msgspec.Meta(
            description=(
                "Credits taken from the balance: `credits`, or 0 on an unlimited plan (usage is still recorded)."
            )
        ),
    ]
    balance: Annotated[int, msgspec.Meta(description="Spendable credits after the spend.")]
    unlimited: Annotated[bool, msgspec.Meta(description="The customer's plan is unlimited: nothing was taken.")]
    allocations: Annotated[
        list[Allocation],
        msgspec.Meta(description="The grants the credits came from, in consumption order; empty when unlimited."),
    ]
    reason: Annotated[
        str | None, msgspec.Meta(description="The reason given when the credits moved; null: none given.")
    ]
    metadata: Annotated[
        dict[str, str], msgspec.Meta(description="The metadata given when the credits moved (string pairs).")
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When the spend was recorded.")]

    schema_examples: ClassVar[Examples] = (
        {
            "entry_id": "0b9e4d7a-52c1-4f3e-8d6a-7c2b1e9f4a05",
            "customer": "acme",
            "credits": 20,
            "charged": 20,
            "balance": 4480,
            "unlimited": False,
            "allocations": [{"grant_id": "6f1c2a9e-3b7d-4c5e-9a1f-0d8e7b6c5a43", "credits": 20}],
            "reason": "workflow run 42",
            "metadata": {"workflow_id": "wf_8Kd2", "run": "42"},
            "created_at": "2026-03-02T10:04:31Z",
        },
    )


class Hold(msgspec.Struct):
    """Credits reserved until captured (consumed), released (given back) or expired (released by itself)."""

    id: Annotated[str, msgspec.Meta(description="The hold's id, for its capture or release.")]
    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    credits: Annotated[int, msgspec.Meta(description="Credits reserved.")]
    captured: Annotated[int, msgspec.Meta(description="Credits consumed by the capture; 0 until captured.")]
    status: Annotated[HoldStatus, msgspec.Meta(description="`active` until captured, released or expired.")]
    unlimited: Annotated[bool, msgspec.Meta(description="The customer's plan is unlimited: nothing was reserved.")]
    expires_at: Annotated[dt.datetime, msgspec.Meta(description="When an active hold releases itself.")]
    balance: Annotated[int, msgspec.Meta(description="Spendable credits after this operation.")]
    reason: Annotated[
        str | None, msgspec.Meta(description="The reason given when the credits moved; null: none given.")
    ]
    metadata: Annotated[
        dict[str, str], msgspec.Meta(description="The metadata given when the credits moved (string pairs).")
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When the hold was taken.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "c4a7e1d2-8f3b-4e6a-b5c9-1d2e3f4a5b6c",
            "customer": "acme",
            "credits": 250,
            "captured": 180,
            "status": "captured",
            "unlimited": False,
            "expires_at": "2026-03-02T10:25:00Z",
            "balance": 4300,
            "reason": "workflow run 43",
            "metadata": {},
            "created_at": "2026-03-02T10:10:00Z",
        },
    )


class Clawback(msgspec.Struct):
    """What a clawback took back, and from where."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    source: Annotated[str, msgspec.Meta(description="The grant's source.")]
    source_ref: Annotated[str, msgspec.Meta(description="The grant's reference within its source.")]
    requested: Annotated[int, msgspec.Meta(description="Credits asked back.")]
    clawed_back: Annotated[
        int,
        msgspec.Meta(description="Credits taken back; below `requested` when the balance ran out (`down_to_zero`)."),
    ]
    from_grant: Annotated[int, msgspec.Meta(description="Credits taken from what the grant still had.")]
    from_balance: Annotated[
        int, msgspec.Meta(description="Credits taken from the customer's other grants, for what was spent of this one.")
    ]
    debt: Annotated[
        int,
        msgspec.Meta(description="Credits the customer now owes (`allow_negative`): repaid first by the next grants."),
    ]
    balance: Annotated[
        int, msgspec.Meta(description="Spendable credits after the clawback; negative while there is debt.")
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "source": "admin",
            "source_ref": "welcome-acme",
            "requested": 200,
            "clawed_back": 200,
            "from_grant": 200,
            "from_balance": 0,
            "debt": 0,
            "balance": 4100,
        },
    )


class GrantBalance(msgspec.Struct):
    """One grant that still has credits, as the balance counts it."""

    id: Annotated[str, msgspec.Meta(description="The grant's id.")]
    source: Annotated[
        str,
        msgspec.Meta(
            description="Where the credits came from: `admin`, `payg`, `token_packages`, `subscriptions`, ..."
        ),
    ]
    remaining: Annotated[int, msgspec.Meta(description="Credits left in the grant, reserved ones included.")]
    reserved: Annotated[int, msgspec.Meta(description="Credits of `remaining` that active holds reserve.")]
    priority: Annotated[int, msgspec.Meta(description="Consumption order: 0 is spent first, 100 last.")]
    expires_at: Annotated[dt.datetime | None, msgspec.Meta(description="When what is left expires; null: never.")]


class NextExpiry(msgspec.Struct):
    """The soonest credits to expire."""

    at: Annotated[dt.datetime, msgspec.Meta(description="When they expire.")]
    credits: Annotated[int, msgspec.Meta(description="Credits that expire then, unless spent before.")]


class Balance(msgspec.Struct):
    """A customer's credits: what can be spent now, what holds reserve, what is owed, and the grants behind it."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer id.")]
    balance: Annotated[
        int, msgspec.Meta(description="Spendable credits now: the grants' remaining credits less `held` and `debt`.")
    ]
    held: Annotated[int, msgspec.Meta(description="Credits active holds reserve.")]
    debt: Annotated[
        int,
        msgspec.Meta(
            description="Credits owed after a clawback under `allow_negative`; spends are refused until repaid."
        ),
    ]
    unlimited: Annotated[
        bool,
        msgspec.Meta(description="The customer's plan is unlimited: spends are recorded, never refused or charged."),
    ]
    unlimited_until: Annotated[
        dt.datetime | None, msgspec.Meta(description="When the unlimited plan's period ends; null: not unlimited.")
    ]
    grants: Annotated[
        list[GrantBalance], msgspec.Meta(description="The grants with credits left, in consumption order.")
    ]
    next_expiry: Annotated[
        NextExpiry | None, msgspec.Meta(description="The soonest credits to expire; null: none expire.")
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "balance": 4480,
            "held": 0,
            "debt": 0,
            "unlimited": False,
            "unlimited_until": None,
            "grants": [
                {
                    "id": "6f1c2a9e-3b7d-4c5e-9a1f-0d8e7b6c5a43",
                    "source": "admin",
                    "remaining": 480,
                    "reserved": 0,
                    "priority": 50,
                    "expires_at": None,
                },
                {
                    "id": "9d3b5f7a-1c2e-4a6b-8d0f-2e4c6a8b0d1f",
                    "source": "payg",
                    "remaining": 4000,
                    "reserved": 0,
                    "priority": 50,
                    "expires_at": "2027-03-02T09:20:00Z",
                },
            ],
            "next_expiry": {"at": "2027-03-02T09:20:00Z", "credits": 4000},
        },
    )


class Entry(msgspec.Struct):
    """One line of a customer's append-only credit history."""

    id: Annotated[str, msgspec.Meta(description="The entry's id.")]
    seq: Annotated[int, msgspec.Meta(description="Its place in the customer's history: 1, 2, 3, ...")]
    kind: Annotated[
        EntryKind,
        msgspec.Meta(
            description=(
                "What moved the credits: `grant` (+), `spend` (-), `hold` (-), `capture` (0), `release` "
                "(+), `expire` (-), `refund` (+), `clawback` (-), `adjust` (+/-)."
            )
        ),
    ]
    credits: Annotated[int, msgspec.Meta(description="Credits the entry moved: positive in, negative out.")]
    balance_after: Annotated[int, msgspec.Meta(description="Spendable credits right after the entry.")]
    requested: Annotated[
        int | None,
        msgspec.Meta(
            description=(
                "Credits the request asked for (spends, holds, captures, releases, clawbacks), also when "
                "`credits` is 0 (a capture, an unlimited plan); null on grants and expiries."
            )
        ),
    ]
    reference: Annotated[
        str | None,
        msgspec.Meta(description="The hold or grant the entry belongs to (captures, releases, expiries); null: none."),
    ]
    reason: Annotated[
        str | None, msgspec.Meta(description="The reason given when the credits moved; null: none given.")
    ]
    metadata: Annotated[
        dict[str, str], msgspec.Meta(description="The metadata given when the credits moved (string pairs).")
    ]
    created_at: Annotated[dt.datetime, msgspec.Meta(description="When the entry was written.")]

    schema_examples: ClassVar[Examples] = (
        {
            "id": "0b9e4d7a-52c1-4f3e-8d6a-7c2b1e9f4a05",
            "seq": 4,
            "kind": "spend",
            "credits": -20,
            "balance_after": 4480,
            "requested": 20,
            "reference": None,
            "reason": "workflow run 42",
            "metadata": {"workflow_id": "wf_8Kd2", "run": "42"},
            "created_at": "2026-03-02T10:04:31Z",
        },
    )
