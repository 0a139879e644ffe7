from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditsExpiringSoon")


@_attrs_define
class CreditsExpiringSoon:
    """`credits.expiring_soon`: a grant's unspent credits expire within the tenant's warning window.

    Attributes:
        customer (str): The tenant app's customer.
        grant_id (str): The grant's id.
        credits_ (int): Credits of the grant still unspent.
        expires_at (datetime.datetime): When they expire.
        source (str): Where the grant came from.
    """

    customer: str
    grant_id: str
    credits_: int
    expires_at: datetime.datetime
    source: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        grant_id = self.grant_id

        credits_ = self.credits_

        expires_at = self.expires_at.isoformat()

        source = self.source

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "grant_id": grant_id,
                "credits": credits_,
                "expires_at": expires_at,
                "source": source,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        grant_id = d.pop("grant_id")

        credits_ = d.pop("credits")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        source = d.pop("source")

        credits_expiring_soon = cls(
            customer=customer,
            grant_id=grant_id,
            credits_=credits_,
            expires_at=expires_at,
            source=source,
        )

        credits_expiring_soon.additional_properties = d
        return credits_expiring_soon

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
