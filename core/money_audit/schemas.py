"""Wire shapes of the money audit: runs and their differences (admin API), the request to run one now,
and the operator's notice."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Literal

import msgspec

from core.fields import Examples

RunStatus = Literal["running", "clean", "differences", "failed"]
DifferenceKind = Literal[
    "paid_not_granted",
    "granted_without_payment",
    "refund_not_clawed_back",
    "dispute_not_held",
    "amount_mismatch",
    "credits_mismatch",
    "unclaimed",
]
_RUN_EXAMPLE = {
    "id": "0193a4f2-7c1d-7e3a-9b2c-5d6e7f8a9b0c",
    "since": "2026-12-04T03:17:00Z",
    "until": "2026-12-06T03:17:00Z",
    "trigger": "schedule",
    "repair": False,
    "status": "differences",
    "objects": {"invoices": 12, "payment_intents": 30, "checkout_sessions": 9, "refunds": 1, "disputes": 0},
    "open_differences": 1,
    "repaired_differences": 0,
    "error": None,
    "started_at": "2026-12-06T03:17:00Z",
    "finished_at": "2026-12-06T03:17:04Z",
}
_DIFFERENCE_EXAMPLE = {
    "kind": "paid_not_granted",
    "status": "open",
    "plugin": "payg",
    "stripe_object": "pi_3QxYz2AbCdEfGh",
    "customer": "acme",
    "description": "Succeeded PaymentIntent with no grant of its purchase's credits.",
    "expected": "500 credits",
    "found": "no grant",
    "repair_note": None,
    "stripe_event_id": None,
}


class MoneyAuditDifference(msgspec.Struct):
    """One difference between the tenant's Stripe account and Tollgate's records."""

    kind: Annotated[
        DifferenceKind,
        msgspec.Meta(
            description=(
                "`paid_not_granted`, `granted_without_payment`, `refund_not_clawed_back`, `dispute_not_held`, "
                "`amount_mismatch`, `credits_mismatch` (against the record or the tenant's configuration) or "
                "`unclaimed` (made by a plugin no longer enabled)."
            )
        ),
    ]
    status: Annotated[
        Literal["open", "repaired"],
        msgspec.Meta(description="`open`: for a person to look at; `repaired`: the missing event was applied."),
    ]
    plugin: Annotated[str, msgspec.Meta(description="The plugin that owns the Stripe object; `core`: nobody.")]
    stripe_object: Annotated[
        str, msgspec.Meta(description="The Stripe object's id, or `<source>:<ref>` of a grant without a payment.")
    ]
    customer: Annotated[str | None, msgspec.Meta(description="The tenant app's customer, when known.")]
    description: Annotated[str, msgspec.Meta(description="What differs, in words.")]
    expected: Annotated[str | None, msgspec.Meta(description="What Stripe or the configuration says.")]
    found: Annotated[str | None, msgspec.Meta(description="What Tollgate's records hold.")]
    repair_note: Annotated[str | None, msgspec.Meta(description="What a repair did, or why it could not.")]
    stripe_event_id: Annotated[
        str | None, msgspec.Meta(description="The Stripe event a repair stored or found in the inbox.")
    ]

    schema_examples: ClassVar[Examples] = (_DIFFERENCE_EXAMPLE,)


class MoneyAuditRun(msgspec.Struct):
    """One audit of a period of the tenant's money against its Stripe account."""

    id: Annotated[str, msgspec.Meta(description="The run's id.")]
    since: Annotated[dt.datetime, msgspec.Meta(description="Start of the audited period (inclusive).")]
    until: Annotated[dt.datetime, msgspec.Meta(description="End of the audited period (exclusive).")]
    trigger: Annotated[str, msgspec.Meta(description="`schedule`, `cli` or `api`.")]
    repair: Annotated[bool, msgspec.Meta(description="Whether missing events were looked for and applied.")]
    status: Annotated[
        RunStatus, msgspec.Meta(description="`clean`, `differences` (some open) or `failed` (see `error`).")
    ]
    objects: Annotated[dict[str, int], msgspec.Meta(description="Stripe objects read, by kind.")]
    open_differences: Annotated[int, msgspec.Meta(description="Differences left for a person.")]
    repaired_differences: Annotated[int, msgspec.Meta(description="Differences the run repaired.")]
    error: Annotated[str | None, msgspec.Meta(description="Why a failed run failed.")]
    started_at: Annotated[dt.datetime, msgspec.Meta(description="When the run started.")]
    finished_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it finished.")]

    schema_examples: ClassVar[Examples] = (_RUN_EXAMPLE,)


class MoneyAuditRunDetail(MoneyAuditRun):
    """A run with every difference it found."""

    differences: Annotated[
        list[MoneyAuditDifference], msgspec.Meta(description="Its differences, open and repaired.")
    ] = []

    schema_examples: ClassVar[Examples] = ({**_RUN_EXAMPLE, "differences": [_DIFFERENCE_EXAMPLE]},)


class MoneyAuditCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Run an audit now."""

    since: Annotated[dt.datetime, msgspec.Meta(description="Start of the period (inclusive).")]
    until: Annotated[dt.datetime | None, msgspec.Meta(description="End of the period (exclusive); none: now.")] = None
    repair: Annotated[
        bool, msgspec.Meta(description="Store and apply, through the inbox, the Stripe events found missing.")
    ] = False

    schema_examples: ClassVar[Examples] = ({"since": "2026-12-01T00:00:00Z", "repair": True},)


class MoneyAuditDifferences(msgspec.Struct, forbid_unknown_fields=True):
    """`money_audit.differences`: an audit left differences between Stripe and Tollgate for a person to look at."""

    run: Annotated[str, msgspec.Meta(description="The run's id (`GET /admin/money-audits/{run}`).")]
    since: Annotated[dt.datetime, msgspec.Meta(description="Start of the audited period.")]
    until: Annotated[dt.datetime, msgspec.Meta(description="End of the audited period.")]
    open_differences: Annotated[int, msgspec.Meta(description="Differences left open.")]
    repaired_differences: Annotated[int, msgspec.Meta(description="Differences the run repaired.")]
    kinds: Annotated[dict[str, int], msgspec.Meta(description="Open differences by kind.")]

    schema_examples: ClassVar[Examples] = (
        {
            "run": "0193a4f2-7c1d-7e3a-9b2c-5d6e7f8a9b0c",
            "since": "2026-12-04T03:17:00Z",
            "until": "2026-12-06T03:17:00Z",
            "open_differences": 1,
            "repaired_differences": 0,
            "kinds": {"paid_not_granted": 1},
        },
    )
