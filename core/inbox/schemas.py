"""Wire shapes of the inbox: the answer to Stripe, and the admin API's events."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from core.fields import Examples

WebhookEventStatus = Literal["pending", "processing", "processed", "ignored", "failed", "dead"]
WebhookEventSource = Literal["delivery", "backfill"]


class Receipt(msgspec.Struct):
    """What Stripe gets back: stored (or already stored), not yet processed."""

    received: Annotated[bool, msgspec.Meta(description="The event is stored.")]
    duplicate: Annotated[bool, msgspec.Meta(description="It had been stored before (Stripe sent it again).")]
    id: Annotated[str | None, msgspec.Meta(description="The stored event's id; null when not stored.")] = None
    status: Annotated[
        WebhookEventStatus | None, msgspec.Meta(description=("Its status now; null when not stored."))
    ] = None

    schema_examples: ClassVar[Examples] = (
        {"received": True, "duplicate": False, "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e", "status": "pending"},
    )


class WebhookEvent(msgspec.Struct):
    """A Stripe event in the inbox: stored once, processed by a worker with retries, dead after the last."""

    id: Annotated[str, msgspec.Meta(description="The stored event's id.")]
    stripe_event_id: Annotated[str, msgspec.Meta(description="Stripe's event id (`evt_...`).")]
    type: Annotated[str, msgspec.Meta(description="Stripe's event type (`invoice.paid`).")]
    status: Annotated[
        WebhookEventStatus,
        msgspec.Meta(
            description=(
                "`pending`, `processing`, `processed`, `ignored` (no handler), `failed` (will retry) or `dead` "
                "(retries spent)."
            )
        ),
    ]
    attempts: Annotated[int, msgspec.Meta(description="Processing attempts so far.")]
    object_id: Annotated[
        str | None, msgspec.Meta(description=("The id of the Stripe object the event is about; null: none."))
    ]
    event_created: Annotated[dt.datetime, msgspec.Meta(description="Stripe's `created` for the event.")]
    received_at: Annotated[dt.datetime, msgspec.Meta(description="When Tollgate received it.")]
    next_attempt_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(description=("When the next attempt is due; null unless `pending` or `failed`.")),
    ]
    processed_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it was processed; null until then.")]
    handlers: Annotated[list[str], msgspec.Meta(description="The plugins that handle its type.")]
    last_error: Annotated[str | None, msgspec.Meta(description="The last attempt's error; null: none.")]
    source: Annotated[
        WebhookEventSource,
        msgspec.Meta(
            description=(
                "How it came: `delivery` (Stripe posted it) or `backfill` (read back from Stripe's events API "
                "because its delivery never came)."
            )
        ),
    ] = "delivery"
    payload_pruned_at: Annotated[
        dt.datetime | None,
        msgspec.Meta(
            description=(
                "When the retention policy dropped the event's body (docs/privacy.md#retention): the event is kept "
                "without it and cannot be replayed; null: the body is kept."
            )
        ),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {
            "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e",
            "stripe_event_id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
            "type": "invoice.paid",
            "status": "processed",
            "attempts": 1,
            "object_id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3",
            "event_created": "2026-03-01T12:00:05Z",
            "received_at": "2026-03-01T12:00:06Z",
            "next_attempt_at": None,
            "processed_at": "2026-03-01T12:00:07Z",
            "handlers": ["subscriptions"],
            "last_error": None,
            "source": "delivery",
            "payload_pruned_at": None,
        },
    )


class WebhookEventDetail(WebhookEvent):
    """One event with the payload Stripe signed (null once the retention policy dropped it)."""

    payload: Annotated[
        dict[str, Any] | None,
        msgspec.Meta(description="The event as Stripe sent it; null once dropped (`payload_pruned_at`)."),
    ] = None

    schema_examples: ClassVar[Examples] = (
        {
            **{
                "id": "0e2c4a6b-8d1f-4b3a-9c5e-7f0a1b2c3d4e",
                "stripe_event_id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
                "type": "invoice.paid",
                "status": "processed",
                "attempts": 1,
                "object_id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3",
                "event_created": "2026-03-01T12:00:05Z",
                "received_at": "2026-03-01T12:00:06Z",
                "next_attempt_at": None,
                "processed_at": "2026-03-01T12:00:07Z",
                "handlers": ["subscriptions"],
                "last_error": None,
                "source": "backfill",
                "payload_pruned_at": None,
            },
            "payload": {
                "id": "evt_1QbF9g2eZvKYlo2CpAyMeNt1",
                "type": "invoice.paid",
                "data": {"object": {"id": "in_1QbF9f2eZvKYlo2Cx0y1z2a3"}},
            },
        },
    )


class StripeObjectRef(msgspec.Struct):
    id: str | None = None


class StripeEventData(msgspec.Struct):
    object: StripeObjectRef


class StripeEventEnvelope(msgspec.Struct):
    """The parts of a Stripe event the inbox reads before storing it whole."""

    id: str
    type: str
    created: int
    data: StripeEventData
    object: Literal["event"] = "event"
    livemode: bool | None = None


BackfillTrigger = Literal["schedule", "admin", "cli"]
BackfillRunStatus = Literal["ok", "partial", "failed"]
BackfillWarningKind = Literal["events_behind", "endpoint_disabled", "signature_failures"]


class StripeBackfillRun(msgspec.Struct):
    """One run of the Stripe event backfill: what it listed, what the inbox lacked and stored, where it stopped."""

    tenant: Annotated[str, msgspec.Meta(description="The tenant's slug.")]
    trigger: Annotated[
        BackfillTrigger, msgspec.Meta(description="Who started it: the `schedule`, an `admin` call or the `cli`.")
    ]
    status: Annotated[
        BackfillRunStatus,
        msgspec.Meta(
            description=(
                "`ok` (listed to the end), `partial` (stopped at its page limit: the watermark stays) or `failed` "
                "(Stripe or the database failed: `error`; what it stored stays stored)."
            )
        ),
    ]
    started_at: Annotated[dt.datetime, msgspec.Meta(description="When it started.")]
    finished_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it ended.")]
    since: Annotated[dt.datetime, msgspec.Meta(description="It listed the events created at this time or later.")]
    event_types: Annotated[int, msgspec.Meta(description="Event types listed: those the tenant's handlers apply.")]
    pages: Annotated[int, msgspec.Meta(description="Pages of Stripe's events read (100 events a page at most).")]
    seen: Annotated[int, msgspec.Meta(description="Events listed and checked against the inbox.")]
    stored: Annotated[
        int, msgspec.Meta(description="Events the inbox lacked, stored now (each one a delivery that never came).")
    ]
    deferred: Annotated[
        int,
        msgspec.Meta(
            description="Events Stripe was still delivering, created in the last minute: left for the next run."
        ),
    ]
    stored_by_type: Annotated[dict[str, int], msgspec.Meta(description="`stored`, by event type.")]
    watermark_before: Annotated[
        dt.datetime | None, msgspec.Meta(description="The tenant's watermark before the run; null: none yet.")
    ]
    watermark: Annotated[
        dt.datetime | None,
        msgspec.Meta(description="The watermark after it: the newest event found in the inbox by a complete listing."),
    ]
    advanced: Annotated[
        bool,
        msgspec.Meta(
            description=(
                "The run listed to the end from at or before where a scheduled run reads, so the watermark moved "
                "with it."
            )
        ),
    ]
    error: Annotated[str | None, msgspec.Meta(description="Why it failed; null: it did not.")]
    warnings: Annotated[
        list[BackfillWarningKind], msgspec.Meta(description="The tenant's warnings holding after the run.")
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "tenant": "imagegen",
            "trigger": "admin",
            "status": "ok",
            "started_at": "2026-03-01T12:00:00Z",
            "finished_at": "2026-03-01T12:00:02Z",
            "since": "2026-03-01T11:45:00Z",
            "event_types": 14,
            "pages": 2,
            "seen": 131,
            "stored": 2,
            "deferred": 0,
            "stored_by_type": {"invoice.paid": 1, "customer.subscription.updated": 1},
            "watermark_before": "2026-03-01T11:50:00Z",
            "watermark": "2026-03-01T11:59:41Z",
            "advanced": True,
            "error": None,
            "warnings": [],
        },
    )


class StripeBackfillLastRun(msgspec.Struct):
    """The tenant's last backfill run (or the one running), as recorded."""

    trigger: Annotated[BackfillTrigger | None, msgspec.Meta(description="Who started it.")]
    status: Annotated[
        Literal["running", "ok", "partial", "failed"],
        msgspec.Meta(description="`running`, or how it ended: `ok`, `partial` (its page limit) or `failed`."),
    ]
    started_at: Annotated[dt.datetime, msgspec.Meta(description="When it started.")]
    finished_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it ended; null: running.")]
    pages: Annotated[int, msgspec.Meta(description="Pages of Stripe's events read.")]
    seen: Annotated[int, msgspec.Meta(description="Events listed.")]
    stored: Annotated[int, msgspec.Meta(description="Events the inbox lacked, stored by it.")]
    error: Annotated[str | None, msgspec.Meta(description="Why it failed; null: it did not.")]


class StripeBackfillWarning(msgspec.Struct):
    """A warning holding for the tenant (each one also notified as `stripe.<kind>`, a gauge and a log line)."""

    kind: Annotated[
        BackfillWarningKind,
        msgspec.Meta(
            description=(
                "`events_behind` (the events not read back for longer than the limit), `endpoint_disabled` (the "
                "webhook endpoint disabled or gone) or `signature_failures` (deliveries refused in a row)."
            )
        ),
    ]
    since: Annotated[dt.datetime, msgspec.Meta(description="Since when it holds.")]


class StripeEndpointState(msgspec.Struct):
    """The tenant's webhook endpoint in its Stripe account, as the backfill last read it."""

    id: Annotated[str | None, msgspec.Meta(description="The endpoint's id (`we_...`); null: none found.")]
    status: Annotated[
        str | None, msgspec.Meta(description="`enabled`, `disabled`, or `missing` (Stripe no longer has it).")
    ]
    checked_at: Annotated[dt.datetime | None, msgspec.Meta(description="When it was read; null: never.")]


class StripeSignatureChecks(msgspec.Struct):
    """Deliveries refused for their signature since the last one that verified (every API process's, written
    a few times a minute)."""

    failures_in_row: Annotated[int, msgspec.Meta(description="Refused since the last verified delivery.")]
    failing_since: Annotated[dt.datetime | None, msgspec.Meta(description="The first of them; null: none.")]
    last_failure_at: Annotated[dt.datetime | None, msgspec.Meta(description="The latest refusal; null: none.")]
    last_success_at: Annotated[
        dt.datetime | None, msgspec.Meta(description="The latest verified delivery recorded; null: none.")
    ]


class StripeEventCounts(msgspec.Struct):
    """The tenant's stored Stripe events by how they came."""

    delivered: Annotated[int, msgspec.Meta(description="Posted by Stripe to the webhook route.")]
    backfilled: Annotated[
        int, msgspec.Meta(description="Read back from Stripe's events API: each one a delivery that never came.")
    ]


class StripeBackfillStatus(msgspec.Struct):
    """The tenant's Stripe event backfill: its watermark, its last run, its figures and the warnings holding."""

    enabled: Annotated[bool, msgspec.Meta(description="The schedule runs (`stripe_backfill.enabled`).")]
    interval_seconds: Annotated[int, msgspec.Meta(description="How often the schedule reads the tenant's events.")]
    watermark: Annotated[
        dt.datetime | None,
        msgspec.Meta(description="The newest event a complete listing found in the inbox; null: none yet."),
    ]
    listed_through: Annotated[
        dt.datetime | None,
        msgspec.Meta(description="When the last complete listing began: events before it are all in the inbox."),
    ]
    lag_seconds: Annotated[
        int | None,
        msgspec.Meta(description="Seconds since `listed_through` (or the first run, never complete); null: never run."),
    ]
    running: Annotated[bool, msgspec.Meta(description="A run holds the tenant now.")]
    last_run: Annotated[StripeBackfillLastRun | None, msgspec.Meta(description="The last run; null: none yet.")]
    seen_total: Annotated[int, msgspec.Meta(description="Events listed by every run.")]
    stored_total: Annotated[int, msgspec.Meta(description="Events stored by every run.")]
    events: Annotated[StripeEventCounts, msgspec.Meta(description="The inbox's events of the tenant, by source.")]
    endpoint: Annotated[StripeEndpointState, msgspec.Meta(description="The webhook endpoint as last read.")]
    signature_checks: Annotated[
        StripeSignatureChecks, msgspec.Meta(description="Deliveries refused for their signature.")
    ]
    warnings: Annotated[list[StripeBackfillWarning], msgspec.Meta(description="The warnings holding now.")]

    schema_examples: ClassVar[Examples] = (
        {
            "enabled": True,
            "interval_seconds": 600,
            "watermark": "2026-03-01T11:59:41Z",
            "listed_through": "2026-03-01T12:00:00Z",
            "lag_seconds": 312,
            "running": False,
            "last_run": {
                "trigger": "schedule",
                "status": "ok",
                "started_at": "2026-03-01T12:00:00Z",
                "finished_at": "2026-03-01T12:00:02Z",
                "pages": 2,
                "seen": 131,
                "stored": 2,
                "error": None,
            },
            "seen_total": 40210,
            "stored_total": 7,
            "events": {"delivered": 39985, "backfilled": 7},
            "endpoint": {
                "id": "we_1QbF9g2eZvKYlo2CdE4fGh5i",
                "status": "disabled",
                "checked_at": "2026-03-01T12:00:02Z",
            },
            "signature_checks": {
                "failures_in_row": 0,
                "failing_since": None,
                "last_failure_at": "2026-02-27T08:00:00Z",
                "last_success_at": "2026-03-01T11:59:50Z",
            },
            "warnings": [{"kind": "endpoint_disabled", "since": "2026-03-01T11:10:00Z"}],
        },
    )
