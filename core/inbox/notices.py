"""The `data` of the inbox's warnings (`stripe.*`), sent as notices when a tenant's Stripe events may go missing.

The backfill (core/inbox/backfill.py) sends each once when its condition starts, and once a day while it
lasts (dedupe keys by episode and day); docs/webhooks.md#backfill says what to do about each.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar, Final

import msgspec

from core.fields import Examples
from core.notifications.types import NotificationType

EVENTS_BEHIND: Final = "stripe.events_behind"
ENDPOINT_DISABLED: Final = "stripe.endpoint_disabled"
SIGNATURE_FAILURES: Final = "stripe.signature_failures"


class EventsBehind(msgspec.Struct, forbid_unknown_fields=True):
    """`stripe.events_behind`: the tenant's Stripe events have not been read back completely for too long."""

    since: Annotated[
        dt.datetime,
        msgspec.Meta(description="Events created after this may be missing (the last complete listing began then)."),
    ]
    lag_seconds: Annotated[int, msgspec.Meta(description="Seconds from `since` to now.")]
    limit_seconds: Annotated[
        int, msgspec.Meta(description="The deployment's limit (`stripe_backfill.behind_warning_seconds`).")
    ]
    last_error: Annotated[str | None, msgspec.Meta(description="Why the last run failed; null: it did not.")] = None

    schema_examples: ClassVar[Examples] = (
        {
            "since": "2026-03-01T12:00:00Z",
            "lag_seconds": 25200,
            "limit_seconds": 21600,
            "last_error": "AuthenticationError: Invalid API Key provided: sk_live_****abcd",
        },
    )


class EndpointDisabled(msgspec.Struct, forbid_unknown_fields=True):
    """`stripe.endpoint_disabled`: the tenant's webhook endpoint in Stripe is disabled or gone: no deliveries come."""

    endpoint: Annotated[str, msgspec.Meta(description="The endpoint's id in the tenant's Stripe account (`we_...`).")]
    status: Annotated[str, msgspec.Meta(description="`disabled`, or `missing` when Stripe no longer has it.")]
    since: Annotated[dt.datetime, msgspec.Meta(description="When Tollgate first saw it so.")]

    schema_examples: ClassVar[Examples] = (
        {"endpoint": "we_1QbF9g2eZvKYlo2CdE4fGh5i", "status": "disabled", "since": "2026-03-01T12:10:00Z"},
    )


class SignatureFailures(msgspec.Struct, forbid_unknown_fields=True):
    """`stripe.signature_failures`: deliveries keep failing their signature check (likely a stale webhook secret)."""

    failures: Annotated[int, msgspec.Meta(description="Deliveries refused in a row, none verified since.")]
    threshold: Annotated[
        int, msgspec.Meta(description="The deployment's limit (`stripe_backfill.signature_failures_warning`).")
    ]
    failing_since: Annotated[dt.datetime, msgspec.Meta(description="The first failure of the row.")]
    last_failure_at: Annotated[dt.datetime, msgspec.Meta(description="The latest failure.")]
    last_success_at: Annotated[
        dt.datetime | None, msgspec.Meta(description="The last delivery that verified; null: none recorded.")
    ] = None

    schema_examples: ClassVar[Examples] = (
        {
            "failures": 12,
            "threshold": 5,
            "failing_since": "2026-03-01T09:00:00Z",
            "last_failure_at": "2026-03-01T12:04:00Z",
            "last_success_at": "2026-03-01T08:59:30Z",
        },
    )


NOTIFICATION_TYPES: Final = {
    EVENTS_BEHIND: NotificationType(
        "The tenant's Stripe events have not been read back for longer than the deployment's limit: deliveries "
        "lost meanwhile are not repaired yet, and Stripe keeps events 30 days.",
        data=EventsBehind,
    ),
    ENDPOINT_DISABLED: NotificationType(
        "The tenant's webhook endpoint in Stripe is disabled or gone: Stripe delivers nothing (the backfill "
        "still reads the events back).",
        data=EndpointDisabled,
    ),
    SIGNATURE_FAILURES: NotificationType(
        "Stripe's deliveries keep failing their signature check, none verifying since: likely a stale webhook "
        "secret (`tollgate stripe connect`).",
        data=SignatureFailures,
    ),
}
