from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ModelAccess")


@_attrs_define
class ModelAccess:
    """Whether the customer's tier may use one model, and where to get it when not.

    Attributes:
        customer (str): The tenant app's customer id.
        model (str): The model asked about.
        allowed (bool): The customer's tier may use it now.
        tier (str): The customer's tier.
        code (None | str): Why not: `model_not_in_tier` or `unknown_model`; null when allowed.
        available_in (None | str): The cheapest tier that has the model; null when allowed or unknown.
        message (str): The answer in words, for a person.
    """

    customer: str
    model: str
    allowed: bool
    tier: str
    code: None | str
    available_in: None | str
    message: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        model = self.model

        allowed = self.allowed

        tier = self.tier

        code: None | str
        code = self.code

        available_in: None | str
        available_in = self.available_in

        message = self.message

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "model": model,
                "allowed": allowed,
                "tier": tier,
                "code": code,
                "available_in": available_in,
                "message": message,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        model = d.pop("model")

        allowed = d.pop("allowed")

        tier = d.pop("tier")

        def _parse_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        code = _parse_code(d.pop("code"))

        def _parse_available_in(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        available_in = _parse_available_in(d.pop("available_in"))

        message = d.pop("message")

        model_access = cls(
            customer=customer,
            model=model,
            allowed=allowed,
            tier=tier,
            code=code,
            available_in=available_in,
            message=message,
        )

        model_access.additional_properties = d
        return model_access

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
