from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PreviewLine")


@_attrs_define
class PreviewLine:
    """One line of a previewed invoice.

    Attributes:
        description (None | str): Stripe's line text.
        amount (int): Money, in minor units of the preview's `currency`; < 0: credit.
        proration (bool): A prorated charge or credit for part of the period.
        period_start (datetime.datetime): The start of the time the line is for.
        period_end (datetime.datetime): Its end.
    """

    description: None | str
    amount: int
    proration: bool
    period_start: datetime.datetime
    period_end: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        description: None | str
        description = self.description

        amount = self.amount

        proration = self.proration

        period_start = self.period_start.isoformat()

        period_end = self.period_end.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "description": description,
                "amount": amount,
                "proration": proration,
                "period_start": period_start,
                "period_end": period_end,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        amount = d.pop("amount")

        proration = d.pop("proration")

        period_start = datetime.datetime.fromisoformat(d.pop("period_start"))

        period_end = datetime.datetime.fromisoformat(d.pop("period_end"))

        preview_line = cls(
            description=description,
            amount=amount,
            proration=proration,
            period_start=period_start,
            period_end=period_end,
        )

        preview_line.additional_properties = d
        return preview_line

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
