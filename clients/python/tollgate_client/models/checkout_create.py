from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.checkout_create_currency_type_1 import CheckoutCreateCurrencyType1
from ..models.checkout_create_currency_type_2_type_1 import CheckoutCreateCurrencyType2Type1
from ..models.checkout_create_currency_type_3_type_1 import CheckoutCreateCurrencyType3Type1
from ..models.checkout_create_interval import CheckoutCreateInterval
from ..types import UNSET, Unset

T = TypeVar("T", bound="CheckoutCreate")


@_attrs_define
class CheckoutCreate:
    """A Stripe Checkout session for a subscription to a tier.

    Attributes:
        tier (str): The tier to subscribe to.
        success_url (str): Where Stripe sends the customer after paying.
        interval (CheckoutCreateInterval | Unset): The billing period: `month` or `year`. Default:
            CheckoutCreateInterval.MONTH.
        cancel_url (None | str | Unset): Where Stripe sends a customer who gives up; null: `success_url`.
        promotion_code (None | str | Unset): The code a customer types (`WELCOME20`) or a Stripe promotion code id
            (`promo_...`); null: none.
        currency (CheckoutCreateCurrencyType1 | CheckoutCreateCurrencyType2Type1 | CheckoutCreateCurrencyType3Type1 |
            None | Unset): The currency to pay in, when the tier has prices in several; null: the tier's first.
    """

    tier: str
    success_url: str
    interval: CheckoutCreateInterval | Unset = CheckoutCreateInterval.MONTH
    cancel_url: None | str | Unset = UNSET
    promotion_code: None | str | Unset = UNSET
    currency: (
        CheckoutCreateCurrencyType1 | CheckoutCreateCurrencyType2Type1 | CheckoutCreateCurrencyType3Type1 | None | Unset
    ) = UNSET

    def to_dict(self) -> dict[str, Any]:
        tier = self.tier

        success_url = self.success_url

        interval: str | Unset = UNSET
        if not isinstance(self.interval, Unset):
            interval = self.interval.value

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

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, CheckoutCreateCurrencyType1):
            currency = self.currency.value
        elif isinstance(self.currency, CheckoutCreateCurrencyType2Type1):
            currency = self.currency.value
        elif isinstance(self.currency, CheckoutCreateCurrencyType3Type1):
            currency = self.currency.value
        else:
            currency = self.currency

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tier": tier,
                "success_url": success_url,
            }
        )
        if interval is not UNSET:
            field_dict["interval"] = interval
        if cancel_url is not UNSET:
            field_dict["cancel_url"] = cancel_url
        if promotion_code is not UNSET:
            field_dict["promotion_code"] = promotion_code
        if currency is not UNSET:
            field_dict["currency"] = currency

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tier = d.pop("tier")

        success_url = d.pop("success_url")

        _interval = d.pop("interval", UNSET)
        interval: CheckoutCreateInterval | Unset
        if isinstance(_interval, Unset):
            interval = UNSET
        else:
            interval = CheckoutCreateInterval(_interval)

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

        def _parse_currency(
            data: object,
        ) -> (
            CheckoutCreateCurrencyType1
            | CheckoutCreateCurrencyType2Type1
            | CheckoutCreateCurrencyType3Type1
            | None
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = CheckoutCreateCurrencyType1(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_2_type_1 = CheckoutCreateCurrencyType2Type1(data)

                return currency_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_3_type_1 = CheckoutCreateCurrencyType3Type1(data)

                return currency_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CheckoutCreateCurrencyType1
                | CheckoutCreateCurrencyType2Type1
                | CheckoutCreateCurrencyType3Type1
                | None
                | Unset,
                data,
            )

        currency = _parse_currency(d.pop("currency", UNSET))

        checkout_create = cls(
            tier=tier,
            success_url=success_url,
            interval=interval,
            cancel_url=cancel_url,
            promotion_code=promotion_code,
            currency=currency,
        )

        return checkout_create
