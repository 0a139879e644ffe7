from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Usage")


@_attrs_define
class Usage:
    """How much of this period's plan allowance the customer has used.

    Attributes:
        customer (str): The tenant app's customer id.
        tier (str): The tier's id.
        is_unlimited (bool): The tier is unlimited: `used` counts every recorded spend.
        period_start (datetime.datetime): When the period began.
        period_end (datetime.datetime): When it ends.
        allowance (int | None): Credits the plan granted for this period; null on an unlimited tier.
        used (int): Credits used this period: of the allowance, or (unlimited) every recorded spend.
        remaining (int | None): Credits of the allowance left; null on an unlimited tier.
        percentage (int | None): Whole percent of the allowance used, rounded down; null on an unlimited tier.
    """

    customer: str
    tier: str
    is_unlimited: bool
    period_start: datetime.datetime
    period_end: datetime.datetime
    allowance: int | None
    used: int
    remaining: int | None
    percentage: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        tier = self.tier

        is_unlimited = self.is_unlimited

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        allowance: int | None
        allowance = self.allowance

        used = self.used

        remaining: int | None
        remaining = self.remaining

        percentage: int | None
        percentage = self.percentage

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "tier": tier,
                "is_unlimited": is_unlimited,
                "period_start": period_start,
                "period_end": period_end,
                "allowance": allowance,
                "used": used,
                "remaining": remaining,
                "percentage": percentage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        tier = d.pop("tier")

        is_unlimited = d.pop("is_unlimited")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        def _parse_allowance(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        allowance = _parse_allowance(d.pop("allowance"))

        used = d.pop("used")

        def _parse_remaining(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        remaining = _parse_remaining(d.pop("remaining"))

        def _parse_percentage(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        percentage = _parse_percentage(d.pop("percentage"))

        usage = cls(
            customer=customer,
            tier=tier,
            is_unlimited=is_unlimited,
            period_start=period_start,
            period_end=period_end,
            allowance=allowance,
            used=used,
            remaining=remaining,
            percentage=percentage,
        )

        usage.additional_properties = d
        return usage

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
