from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stripe_backfill_run_status import StripeBackfillRunStatus
from ..models.stripe_backfill_run_trigger import StripeBackfillRunTrigger
from ..models.stripe_backfill_run_warnings_item import StripeBackfillRunWarningsItem

if TYPE_CHECKING:
    from ..models.stripe_backfill_run_stored_by_type import StripeBackfillRunStoredByType


T = TypeVar("T", bound="StripeBackfillRun")


@_attrs_define
class StripeBackfillRun:
    """One run of the Stripe event backfill: what it listed, what the inbox lacked and stored, where it stopped.

    Attributes:
        tenant (str): The tenant's slug.
        trigger (StripeBackfillRunTrigger): Who started it: the `schedule`, an `admin` call or the `cli`.
        status (StripeBackfillRunStatus): `ok` (listed to the end), `partial` (stopped at its page limit: the watermark
            stays) or `failed` (Stripe or the database failed: `error`; what it stored stays stored).
        started_at (datetime.datetime): When it started.
        finished_at (datetime.datetime | None): When it ended.
        since (datetime.datetime): It listed the events created at this time or later.
        event_types (int): Event types listed: those the tenant's handlers apply.
        pages (int): Pages of Stripe's events read (100 events a page at most).
        seen (int): Events listed and checked against the inbox.
        stored (int): Events the inbox lacked, stored now (each one a delivery that never came).
        deferred (int): Events Stripe was still delivering, created in the last minute: left for the next run.
        stored_by_type (StripeBackfillRunStoredByType): `stored`, by event type.
        watermark_before (datetime.datetime | None): The tenant's watermark before the run; null: none yet.
        watermark (datetime.datetime | None): The watermark after it: the newest event found in the inbox by a complete
            listing.
        advanced (bool): The run listed to the end from at or before where a scheduled run reads, so the watermark moved
            with it.
        error (None | str): Why it failed; null: it did not.
        warnings (list[StripeBackfillRunWarningsItem]): The tenant's warnings holding after the run.
    """

    tenant: str
    trigger: StripeBackfillRunTrigger
    status: StripeBackfillRunStatus
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    since: datetime.datetime
    event_types: int
    pages: int
    seen: int
    stored: int
    deferred: int
    stored_by_type: StripeBackfillRunStoredByType
    watermark_before: datetime.datetime | None
    watermark: datetime.datetime | None
    advanced: bool
    error: None | str
    warnings: list[StripeBackfillRunWarningsItem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        trigger = self.trigger.value

        status = self.status.value

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        since = self.since.isoformat()

        event_types = self.event_types

        pages = self.pages

        seen = self.seen

        stored = self.stored

        deferred = self.deferred

        stored_by_type = self.stored_by_type.to_dict()

        watermark_before: None | str
        if isinstance(self.watermark_before, datetime.datetime):
            watermark_before = self.watermark_before.isoformat()
        else:
            watermark_before = self.watermark_before

        watermark: None | str
        if isinstance(self.watermark, datetime.datetime):
            watermark = self.watermark.isoformat()
        else:
            watermark = self.watermark

        advanced = self.advanced

        error: None | str
        error = self.error

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.value
            warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "trigger": trigger,
                "status": status,
                "started_at": started_at,
                "finished_at": finished_at,
                "since": since,
                "event_types": event_types,
                "pages": pages,
                "seen": seen,
                "stored": stored,
                "deferred": deferred,
                "stored_by_type": stored_by_type,
                "watermark_before": watermark_before,
                "watermark": watermark,
                "advanced": advanced,
                "error": error,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stripe_backfill_run_stored_by_type import StripeBackfillRunStoredByType  # noqa: PLC0415

        d = dict(src_dict)
        tenant = d.pop("tenant")

        trigger = StripeBackfillRunTrigger(d.pop("trigger"))

        status = StripeBackfillRunStatus(d.pop("status"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        event_types = d.pop("event_types")

        pages = d.pop("pages")

        seen = d.pop("seen")

        stored = d.pop("stored")

        deferred = d.pop("deferred")

        stored_by_type = StripeBackfillRunStoredByType.from_dict(d.pop("stored_by_type"))

        def _parse_watermark_before(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                watermark_before_type_0 = datetime.datetime.fromisoformat(data)

                return watermark_before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        watermark_before = _parse_watermark_before(d.pop("watermark_before"))

        def _parse_watermark(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                watermark_type_0 = datetime.datetime.fromisoformat(data)

                return watermark_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        watermark = _parse_watermark(d.pop("watermark"))

        advanced = d.pop("advanced")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = StripeBackfillRunWarningsItem(warnings_item_data)

            warnings.append(warnings_item)

        stripe_backfill_run = cls(
            tenant=tenant,
            trigger=trigger,
            status=status,
            started_at=started_at,
            finished_at=finished_at,
            since=since,
            event_types=event_types,
            pages=pages,
            seen=seen,
            stored=stored,
            deferred=deferred,
            stored_by_type=stored_by_type,
            watermark_before=watermark_before,
            watermark=watermark,
            advanced=advanced,
            error=error,
            warnings=warnings,
        )

        stripe_backfill_run.additional_properties = d
        return stripe_backfill_run

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
