from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stripe_backfill_warning_kind import StripeBackfillWarningKind

T = TypeVar("T", bound="StripeBackfillWarning")


@_attrs_define
class StripeBackfillWarning:
    """A warning holding for the tenant (each one also notified as `stripe.<kind>`, a gauge and a log line).

    Attributes:
        kind (StripeBackfillWarningKind): `events_behind` (the events not read back for longer than the limit),
            `endpoint_disabled` (the webhook endpoint disabled or gone) or `signature_failures` (deliveries refused in a
            row).
        since (datetime.datetime): Since when it holds.
    """

    kind: StripeBackfillWarningKind
    since: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        since = self.since.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "since": since,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = StripeBackfillWarningKind(d.pop("kind"))

        since = datetime.datetime.fromisoformat(d.pop("since"))

        stripe_backfill_warning = cls(
            kind=kind,
            since=since,
        )

        stripe_backfill_warning.additional_properties = d
        return stripe_backfill_warning

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
