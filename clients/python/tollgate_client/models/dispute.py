from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Dispute")


@_attrs_define
class Dispute:
    """A chargeback on a payment, and what it did to the credits.

    Attributes:
        id (str): The Stripe dispute (`dp_...`).
        status (str): Stripe's dispute status (`needs_response`, `won`, `lost`, ...).
        amount (int): Money disputed, in minor units of `currency`.
        currency (str): ISO 4217 currency, lowercase.
        credits_ (int): Credits the disputed amount bought.
        credits_held (int): Credits taken back when the dispute opened.
        credits_restored (int): Credits given back when it was won.
        credits_clawed_back (int): Credits kept back for good when it was lost.
    """

    id: str
    status: str
    amount: int
    currency: str
    credits_: int
    credits_held: int
    credits_restored: int
    credits_clawed_back: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        status = self.status

        amount = self.amount

        currency = self.currency

        credits_ = self.credits_

        credits_held = self.credits_held

        credits_restored = self.credits_restored

        credits_clawed_back = self.credits_clawed_back

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "amount": amount,
                "currency": currency,
                "credits": credits_,
                "credits_held": credits_held,
                "credits_restored": credits_restored,
                "credits_clawed_back": credits_clawed_back,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        status = d.pop("status")

        amount = d.pop("amount")

        currency = d.pop("currency")

        credits_ = d.pop("credits")

        credits_held = d.pop("credits_held")

        credits_restored = d.pop("credits_restored")

        credits_clawed_back = d.pop("credits_clawed_back")

        dispute = cls(
            id=id,
            status=status,
            amount=amount,
            currency=currency,
            credits_=credits_,
            credits_held=credits_held,
            credits_restored=credits_restored,
            credits_clawed_back=credits_clawed_back,
        )

        dispute.additional_properties = d
        return dispute

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
