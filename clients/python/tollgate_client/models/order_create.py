from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.order_create_currency_type_1 import OrderCreateCurrencyType1
from ..models.order_create_currency_type_2_type_1 import OrderCreateCurrencyType2Type1
from ..models.order_create_currency_type_3_type_1 import OrderCreateCurrencyType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="OrderCreate")


@_attrs_define
class OrderCreate:
    """An order of one pack, paid in Stripe Checkout; the credits are granted when the payment succeeds.

    Attributes:
        package (str): The pack's id (`GET /packages`).
        success_url (None | str | Unset): Where Stripe sends the customer after paying in Checkout: required without
            `payment_method` (400 `success_url_required`), unused with one.
        currency (None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 |
            Unset): The currency to pay in; null: the tenant's `default_currency`, else the pack's only one.
        cancel_url (None | str | Unset): Where Stripe sends a customer who gives up; null: `success_url`.
        promotion_code (None | str | Unset): The code the customer typed (`SPRING20`) or a promotion code id
            (`promo_...`); null: none
        payment_method (None | str | Unset): A card saved on the customer (`GET .../payment-methods`): a one-time pack
            is charged to it now, off-session, without Checkout (no `success_url` needed); a refused card answers 402
            (`card_declined` with Stripe's `decline_code`, or `requires_action` for 3-D Secure). null: Checkout.
    """

    package: str
    success_url: None | str | Unset = UNSET
    currency: (
        None | OrderCreateCurrencyType1 | OrderCreateCurrencyType2Type1 | OrderCreateCurrencyType3Type1 | Unset
    ) = UNSET
    cancel_url: None | str | Unset = UNSET
    promotion_code: None | str | Unset = UNSET
    payment_method: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        package = self.package

        success_url: None | str | Unset
        if isinstance(self.success_url, Unset):
            success_url = UNSET
        else:
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

        payment_method: None | str | Unset
        if isinstance(self.payment_method, Unset):
            payment_method = UNSET
        else:
            payment_method = self.payment_method

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "package": package,
            }
        )
        if success_url is not UNSET:
            field_dict["success_url"] = success_url
        if currency is not UNSET:
            field_dict["currency"] = currency
        if cancel_url is not UNSET:
            field_dict["cancel_url"] = cancel_url
        if promotion_code is not UNSET:
            field_dict["promotion_code"] = promotion_code
        if payment_method is not UNSET:
            field_dict["payment_method"] = payment_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        package = d.pop("package")

        def _parse_success_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        success_url = _parse_success_url(d.pop("success_url", UNSET))

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

        def _parse_payment_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_method = _parse_payment_method(d.pop("payment_method", UNSET))

        order_create = cls(
            package=package,
            success_url=success_url,
            currency=currency,
            cancel_url=cancel_url,
            promotion_code=promotion_code,
            payment_method=payment_method,
        )

        return order_create
