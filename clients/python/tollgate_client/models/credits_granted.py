from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="CreditsGranted")


@_attrs_define
class CreditsGranted:
    """`credits.granted`: credits were granted to a customer.

    Attributes:
        customer (str): The tenant app's customer.
        grant_id (str): The grant's id.
        credits_ (int): Credits granted.
        source (str): Where they come from (`purchase`, `subscription`, `admin`).
        source_ref (str): The source's own reference (an order, an invoice).
        expires_at (datetime.datetime | None): When they expire; null: never.
        balance (int): The customer's balance after the grant.
    """

    customer: str
    grant_id: str
    credits_: int
    source: str
    source_ref: str
    expires_at: datetime.datetime | None
    balance: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        grant_id = self.grant_id

        credits_ = self.credits_

        source = self.source

        source_ref = self.source_ref

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        balance = self.balance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "grant_id": grant_id,
                "credits": credits_,
                "source": source,
                "source_ref": source_ref,
                "expires_at": expires_at,
                "balance": balance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        grant_id = d.pop("grant_id")

        credits_ = d.pop("credits")

        source = d.pop("source")

        source_ref = d.pop("source_ref")

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

        balance = d.pop("balance")

        credits_granted = cls(
            customer=customer,
            grant_id=grant_id,
            credits_=credits_,
            source=source,
            source_ref=source_ref,
            expires_at=expires_at,
            balance=balance,
        )

        credits_granted.additional_properties = d
        return credits_granted

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
