from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.stripe_backfill_last_run import StripeBackfillLastRun
    from ..models.stripe_backfill_warning import StripeBackfillWarning
    from ..models.stripe_endpoint_state import StripeEndpointState
    from ..models.stripe_event_counts import StripeEventCounts
    from ..models.stripe_signature_checks import StripeSignatureChecks


T = TypeVar("T", bound="StripeBackfillStatus")


@_attrs_define
class StripeBackfillStatus:
    """The tenant's Stripe event backfill: its watermark, its last run, its figures and the warnings holding.

    Attributes:
        enabled (bool): The schedule runs (`stripe_backfill.enabled`).
        interval_seconds (int): How often the schedule reads the tenant's events.
        watermark (datetime.datetime | None): The newest event a complete listing found in the inbox; null: none yet.
        listed_through (datetime.datetime | None): When the last complete listing began: events before it are all in the
            inbox.
        lag_seconds (int | None): Seconds since `listed_through` (or the first run, never complete); null: never run.
        running (bool): A run holds the tenant now.
        last_run (None | StripeBackfillLastRun): The last run; null: none yet.
        seen_total (int): Events listed by every run.
        stored_total (int): Events stored by every run.
        events (StripeEventCounts): The tenant's stored Stripe events by how they came.
        endpoint (StripeEndpointState): The tenant's webhook endpoint in its Stripe account, as the backfill last read
            it.
        signature_checks (StripeSignatureChecks): Deliveries refused for their signature since the last one that
            verified (every API process's, written
            a few times a minute).
        warnings (list[StripeBackfillWarning]): The warnings holding now.
    """

    enabled: bool
    interval_seconds: int
    watermark: datetime.datetime | None
    listed_through: datetime.datetime | None
    lag_seconds: int | None
    running: bool
    last_run: None | StripeBackfillLastRun
    seen_total: int
    stored_total: int
    events: StripeEventCounts
    endpoint: StripeEndpointState
    signature_checks: StripeSignatureChecks
    warnings: list[StripeBackfillWarning]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.stripe_backfill_last_run import StripeBackfillLastRun  # noqa: PLC0415

        enabled = self.enabled

        interval_seconds = self.interval_seconds

        watermark: None | str
        if isinstance(self.watermark, datetime.datetime):
            watermark = self.watermark.isoformat()
        else:
            watermark = self.watermark

        listed_through: None | str
        if isinstance(self.listed_through, datetime.datetime):
            listed_through = self.listed_through.isoformat()
        else:
            listed_through = self.listed_through

        lag_seconds: int | None
        lag_seconds = self.lag_seconds

        running = self.running

        last_run: dict[str, Any] | None
        if isinstance(self.last_run, StripeBackfillLastRun):
            last_run = self.last_run.to_dict()
        else:
            last_run = self.last_run

        seen_total = self.seen_total

        stored_total = self.stored_total

        events = self.events.to_dict()

        endpoint = self.endpoint.to_dict()

        signature_checks = self.signature_checks.to_dict()

        warnings = []
        for warnings_item_data in self.warnings:
            warnings_item = warnings_item_data.to_dict()
            warnings.append(warnings_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "enabled": enabled,
                "interval_seconds": interval_seconds,
                "watermark": watermark,
                "listed_through": listed_through,
                "lag_seconds": lag_seconds,
                "running": running,
                "last_run": last_run,
                "seen_total": seen_total,
                "stored_total": stored_total,
                "events": events,
                "endpoint": endpoint,
                "signature_checks": signature_checks,
                "warnings": warnings,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.stripe_backfill_last_run import StripeBackfillLastRun  # noqa: PLC0415
        from ..models.stripe_backfill_warning import StripeBackfillWarning  # noqa: PLC0415
        from ..models.stripe_endpoint_state import StripeEndpointState  # noqa: PLC0415
        from ..models.stripe_event_counts import StripeEventCounts  # noqa: PLC0415
        from ..models.stripe_signature_checks import StripeSignatureChecks  # noqa: PLC0415

        d = dict(src_dict)
        enabled = d.pop("enabled")

        interval_seconds = d.pop("interval_seconds")

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

        def _parse_listed_through(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                listed_through_type_0 = datetime.datetime.fromisoformat(data)

                return listed_through_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        listed_through = _parse_listed_through(d.pop("listed_through"))

        def _parse_lag_seconds(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        lag_seconds = _parse_lag_seconds(d.pop("lag_seconds"))

        running = d.pop("running")

        def _parse_last_run(data: object) -> None | StripeBackfillLastRun:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                last_run_type_0 = StripeBackfillLastRun.from_dict(data)

                return last_run_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | StripeBackfillLastRun, data)

        last_run = _parse_last_run(d.pop("last_run"))

        seen_total = d.pop("seen_total")

        stored_total = d.pop("stored_total")

        events = StripeEventCounts.from_dict(d.pop("events"))

        endpoint = StripeEndpointState.from_dict(d.pop("endpoint"))

        signature_checks = StripeSignatureChecks.from_dict(d.pop("signature_checks"))

        warnings = []
        _warnings = d.pop("warnings")
        for warnings_item_data in _warnings:
            warnings_item = StripeBackfillWarning.from_dict(warnings_item_data)

            warnings.append(warnings_item)

        stripe_backfill_status = cls(
            enabled=enabled,
            interval_seconds=interval_seconds,
            watermark=watermark,
            listed_through=listed_through,
            lag_seconds=lag_seconds,
            running=running,
            last_run=last_run,
            seen_total=seen_total,
            stored_total=stored_total,
            events=events,
            endpoint=endpoint,
            signature_checks=signature_checks,
            warnings=warnings,
        )

        stripe_backfill_status.additional_properties = d
        return stripe_backfill_status

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
