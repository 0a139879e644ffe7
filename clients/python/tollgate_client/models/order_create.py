from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_create_currency_type_1 import OrderCreateCurrencyType1
from ..models.order_create_currency_type_2_type_1 import OrderCreateCurrencyType2Type1
from ..models.order_create_currency_type_3_type_1 import OrderCreateCurrencyType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderCreate")


@_attrs_define
class OrderCreate:
    """
    Attributes:
        package (str):
        success_url (str):
        currency (None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 |
            Unset):
        cancel_url (None | str | Unset):
        promotion_code (None | str | Unset):
    """

    package: str
    success_url: str
    currency: (
        None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 | Unset
    ) = UNSET
    cancel_url: None | str | Unset = UNSET
    promotion_code: None | str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        package = self.package

        success_url = self.success_url

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, OrderCreateCurrencyType1):
            currency = self.currency.value
        elif isinstance(self.currency, OrderCreateCurrencyType2Type1):
            currency = self.currency.value
        elif isinstance(self.currency, OrderCreateCurrencyType3Type1):
            currency = self.currency.value
        else:
            currency = self.currency

        cancel_url: None | str | Unset
        if isinstance(self.cancel_url, Unset):
            cancel_url = UNSET
        else:
            cancel_url = self.cancel_url

        promotion_code: None | str | Unset
        if isinstance(self.promotion_code, Unset):
            promotion_code = UNSET
        else:
            promotion_code = self.promotion_code

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "package": package,
                "success_url": success_url,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if cancel_url is not UNSET:
            field_dict["cancel_url"] = cancel_url
        if promotion_code is not UNSET:
            field_dict["promotion_code"] = promotion_code

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        package = d.pop("package")

        success_url = d.pop("success_url")

        def _parse_currency(
            data: object,
        ) -> None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = OrderCreateCurrencyType1(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_2_type_1 = OrderCreateCurrencyType2Type1(data)

                return currency_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_3_type_1 = OrderCreateCurrencyType3Type1(data)

                return currency_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 | Unset,
                data,
            )

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_cancel_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        cancel_url = _parse_cancel_url(d.pop("cancel_url", UNSET))

        def _parse_promotion_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        promotion_code = _parse_promotion_code(d.pop("promotion_code", UNSET))

        order_create = cls(
            package=package,
            success_url=success_url,
            currency=currency,
            cancel_url=cancel_url,
            promotion_code=promotion_code,
        )

        order_create.additional_properties = d
        return order_create

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
