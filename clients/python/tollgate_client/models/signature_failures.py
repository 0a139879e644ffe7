from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="SignatureFailures")


@_attrs_define
class SignatureFailures:
    """`stripe.signature_failures`: deliveries keep failing their signature check (likely a stale webhook secret).

    Attributes:
        failures (int): Deliveries refused in a row, none verified since.
        threshold (int): The deployment's limit (`stripe_backfill.signature_failures_warning`).
        failing_since (datetime.datetime): The first failure of the row.
        last_failure_at (datetime.datetime): The latest failure.
        last_success_at (datetime.datetime | None | Unset): The last delivery that verified; null: none recorded.
    """

    failures: int
    threshold: int
    failing_since: datetime.datetime
    last_failure_at: datetime.datetime
    last_success_at: datetime.datetime | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        failures = self.failures

        threshold = self.threshold

        failing_since = self.failing_since.isoformat()

        last_failure_at = self.last_failure_at.isoformat()

        last_success_at: None | str | Unset
        if isinstance(self.last_success_at, Unset):
            last_success_at = UNSET
        elif isinstance(self.last_success_at, datetime.datetime):
            last_success_at = self.last_success_at.isoformat()
        else:
            last_success_at = self.last_success_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "failures": failures,
                "threshold": threshold,
                "failing_since": failing_since,
                "last_failure_at": last_failure_at,
            }
        )
        if last_success_at is not UNSET:
            field_dict["last_success_at"] = last_success_at

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        failures = d.pop("failures")

        threshold = d.pop("threshold")

        failing_since = datetime.datetime.fromisoformat(d.pop("failing_since"))

        last_failure_at = datetime.datetime.fromisoformat(d.pop("last_failure_at"))

        def _parse_last_success_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                last_success_at_type_0 = datetime.datetime.fromisoformat(data)

                return last_success_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        last_success_at = _parse_last_success_at(d.pop("last_success_at", UNSET))

        signature_failures = cls(
            failures=failures,
            threshold=threshold,
            failing_since=failing_since,
            last_failure_at=last_failure_at,
            last_success_at=last_success_at,
        )

        signature_failures.additional_properties = d
        return signature_failures

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
