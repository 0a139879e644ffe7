from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GrantBalance")


@_attrs_define
class GrantBalance:
    """One grant that still has credits, as the balance counts it.

    Attributes:
        id (str): The grant's id.
        source (str): Where the credits came from: `admin`, `payg`, `token_packages`, `subscriptions`, ...
        remaining (int): Credits left in the grant, reserved ones included.
        reserved (int): Credits of `remaining` that active holds reserve.
        priority (int): Consumption order: 0 is spent first, 100 last.
        expires_at (datetime.datetime | None): When what is left expires; null: never.
    """

    id: str
    source: str
    remaining: int
    reserved: int
    priority: int
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        source = self.source

        remaining = self.remaining

        reserved = self.reserved

        priority = self.priority

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "source": source,
                "remaining": remaining,
                "reserved": reserved,
                "priority": priority,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        source = d.pop("source")

        remaining = d.pop("remaining")

        reserved = d.pop("reserved")

        priority = d.pop("priority")

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        grant_balance = cls(
            id=id,
            source=source,
            remaining=remaining,
            reserved=reserved,
            priority=priority,
            expires_at=expires_at,
        )

        grant_balance.additional_properties = d
        return grant_balance

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
