from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="EventsBehind")


@_attrs_define
class EventsBehind:
    """`stripe.events_behind`: the tenant's Stripe events have not been read back completely for too long.

    Attributes:
        since (datetime.datetime): Events created after this may be missing (the last complete listing began then).
        lag_seconds (int): Seconds from `since` to now.
        limit_seconds (int): The deployment's limit (`stripe_backfill.behind_warning_seconds`).
        last_error (None | str | Unset): Why the last run failed; null: it did not.
    """

    since: datetime.datetime
    lag_seconds: int
    limit_seconds: int
    last_error: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        since = self.since.isoformat()

        lag_seconds = self.lag_seconds

        limit_seconds = self.limit_seconds

        last_error: None | str | Unset
        if isinstance(self.last_error, Unset):
            last_error = UNSET
        else:
            last_error = self.last_error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "since": since,
                "lag_seconds": lag_seconds,
                "limit_seconds": limit_seconds,
            }
        )
        if last_error is not UNSET:
            field_dict["last_error"] = last_error

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        since = datetime.datetime.fromisoformat(d.pop("since"))

        lag_seconds = d.pop("lag_seconds")

        limit_seconds = d.pop("limit_seconds")

        def _parse_last_error(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        last_error = _parse_last_error(d.pop("last_error", UNSET))

        events_behind = cls(
            since=since,
            lag_seconds=lag_seconds,
            limit_seconds=limit_seconds,
            last_error=last_error,
        )

        events_behind.additional_properties = d
        return events_behind

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
