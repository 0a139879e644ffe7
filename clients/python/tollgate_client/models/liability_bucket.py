from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="LiabilityBucket")


@_attrs_define
class LiabilityBucket:
    """What the unspent prepaid credits of one currency were worth over one bucket, and what moved it.

    opening + added - consumed - clawed_back - expired = closing, exactly (docs/metrics.md: the rounding).

        Attributes:
            start (datetime.datetime): The bucket's start (included), cut to the window.
            end (datetime.datetime): The bucket's end (excluded), cut to the window.
            opening (int): Unspent paid credits' worth at the start (purchase price).
            added (int): Worth of the credits bought (package orders, PAYG purchases).
            consumed (int): Worth released by credits spent or captured, less spend refunds.
            clawed_back (int): Worth taken back by refunds and disputes (clawbacks).
            expired (int): Worth of credits that lapsed unspent (breakage).
            closing (int): Unspent paid credits' worth at the end.
    """

    start: datetime.datetime
    end: datetime.datetime
    opening: int
    added: int
    consumed: int
    clawed_back: int
    expired: int
    closing: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        opening = self.opening

        added = self.added

        consumed = self.consumed

        clawed_back = self.clawed_back

        expired = self.expired

        closing = self.closing

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "opening": opening,
                "added": added,
                "consumed": consumed,
                "clawed_back": clawed_back,
                "expired": expired,
                "closing": closing,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        opening = d.pop("opening")

        added = d.pop("added")

        consumed = d.pop("consumed")

        clawed_back = d.pop("clawed_back")

        expired = d.pop("expired")

        closing = d.pop("closing")

        liability_bucket = cls(
            start=start,
            end=end,
            opening=opening,
            added=added,
            consumed=consumed,
            clawed_back=clawed_back,
            expired=expired,
            closing=closing,
        )

        liability_bucket.additional_properties = d
        return liability_bucket

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
