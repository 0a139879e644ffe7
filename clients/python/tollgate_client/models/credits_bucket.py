from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credits_bucket_granted_by_plugin import CreditsBucketGrantedByPlugin
    from ..models.credits_bucket_granted_by_source import CreditsBucketGrantedBySource


T = TypeVar("T", bound="CreditsBucket")


@_attrs_define
class CreditsBucket:
    """Credits (counts, every currency alike) moved over one bucket (or the whole window).

    Attributes:
        start (datetime.datetime): The bucket's start (included), cut to the window.
        end (datetime.datetime): The bucket's end (excluded), cut to the window.
        granted (int): Credits granted.
        granted_by_source (CreditsBucketGrantedBySource): Credits granted by grant source (docs/metrics.md maps them).
        granted_by_plugin (CreditsBucketGrantedByPlugin): Credits granted by the plugin whose grant source it is:
            subscriptions (allowances), token_packages (packages), payg, core.ledger (admin grants and adjustments).
        consumed (int): Spent or held, less released holds and spend refunds.
        expired (int): Lapsed unspent (breakage).
        clawed_back (int): Taken back after a refund or a dispute.
        adjusted (int): Taken by negative admin adjustments (a positive one is a grant).
        outstanding (int): Credits customers hold at the end (spendable balance).
    """

    start: datetime.datetime
    end: datetime.datetime
    granted: int
    granted_by_source: CreditsBucketGrantedBySource
    granted_by_plugin: CreditsBucketGrantedByPlugin
    consumed: int
    expired: int
    clawed_back: int
    adjusted: int
    outstanding: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        granted = self.granted

        granted_by_source = self.granted_by_source.to_dict()

        granted_by_plugin = self.granted_by_plugin.to_dict()

        consumed = self.consumed

        expired = self.expired

        clawed_back = self.clawed_back

        adjusted = self.adjusted

        outstanding = self.outstanding

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "granted": granted,
                "granted_by_source": granted_by_source,
                "granted_by_plugin": granted_by_plugin,
                "consumed": consumed,
                "expired": expired,
                "clawed_back": clawed_back,
                "adjusted": adjusted,
                "outstanding": outstanding,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credits_bucket_granted_by_plugin import CreditsBucketGrantedByPlugin  # noqa: PLC0415
        from ..models.credits_bucket_granted_by_source import CreditsBucketGrantedBySource  # noqa: PLC0415

        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        granted = d.pop("granted")

        granted_by_source = CreditsBucketGrantedBySource.from_dict(d.pop("granted_by_source"))

        granted_by_plugin = CreditsBucketGrantedByPlugin.from_dict(d.pop("granted_by_plugin"))

        consumed = d.pop("consumed")

        expired = d.pop("expired")

        clawed_back = d.pop("clawed_back")

        adjusted = d.pop("adjusted")

        outstanding = d.pop("outstanding")

        credits_bucket = cls(
            start=start,
            end=end,
            granted=granted,
            granted_by_source=granted_by_source,
            granted_by_plugin=granted_by_plugin,
            consumed=consumed,
            expired=expired,
            clawed_back=clawed_back,
            adjusted=adjusted,
            outstanding=outstanding,
        )

        credits_bucket.additional_properties = d
        return credits_bucket

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
