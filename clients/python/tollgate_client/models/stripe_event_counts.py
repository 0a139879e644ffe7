from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="StripeEventCounts")


@_attrs_define
class StripeEventCounts:
    """The tenant's stored Stripe events by how they came.

    Attributes:
        delivered (int): Posted by Stripe to the webhook route.
        backfilled (int): Read back from Stripe's events API: each one a delivery that never came.
    """

    delivered: int
    backfilled: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        delivered = self.delivered

        backfilled = self.backfilled

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "delivered": delivered,
                "backfilled": backfilled,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        delivered = d.pop("delivered")

        backfilled = d.pop("backfilled")

        stripe_event_counts = cls(
            delivered=delivered,
            backfilled=backfilled,
        )

        stripe_event_counts.additional_properties = d
        return stripe_event_counts

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
