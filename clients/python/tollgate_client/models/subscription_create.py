from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.subscription_create_currency_type_1 import SubscriptionCreateCurrencyType1
from ..models.subscription_create_currency_type_2_type_1 import SubscriptionCreateCurrencyType2Type1
from ..models.subscription_create_currency_type_3_type_1 import SubscriptionCreateCurrencyType3Type1
from ..models.subscription_create_interval import SubscriptionCreateInterval
from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionCreate")


@_attrs_define
class SubscriptionCreate:
    """A subscription paid in the app's own payment form (Stripe Elements) instead of Stripe's Checkout page.

    Attributes:
        tier (str): The tier to subscribe to.
        interval (SubscriptionCreateInterval | Unset): The billing period: `month` or `year`. Default:
            SubscriptionCreateInterval.MONTH.
        currency (None | SubscriptionCreateCurrencyType1 | SubscriptionCreateCurrencyType2Type1 |
            SubscriptionCreateCurrencyType3Type1 | Unset): The currency to pay in, when the tier has prices in several;
            null: the tier's first.
        promotion_code (None | str | Unset): The code a customer typed (`WELCOME20`) or a Stripe promotion code id
            (`promo_...`); null: none.
        trial (bool | None | Unset): null: the tier's free trial when this is the customer's first subscription (as at
            Checkout); false: no trial; true: the trial, or 409 `trial_not_available`.
    """

    tier: str
    interval: SubscriptionCreateInterval | Unset = SubscriptionCreateInterval.MONTH
    currency: (
        None
        | SubscriptionCreateCurrencyType1
        | SubscriptionCreateCurrencyType2Type1
        | SubscriptionCreateCurrencyType3Type1
        | Unset
    ) = UNSET
    promotion_code: None | str | Unset = UNSET
    trial: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        tier = self.tier

        interval: str | Unset = UNSET
        if not isinstance(self.interval, Unset):
            interval = self.interval.value

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, SubscriptionCreateCurrencyType1):
            currency = self.currency.value
        elif isinstance(self.currency, SubscriptionCreateCurrencyType2Type1):
            currency = self.currency.value
        elif isinstance(self.currency, SubscriptionCreateCurrencyType3Type1):
            currency = self.currency.value
        else:
            currency = self.currency

        promotion_code: None | str | Unset
        if isinstance(self.promotion_code, Unset):
            promotion_code = UNSET
        else:
            promotion_code = self.promotion_code

        trial: bool | None | Unset
        if isinstance(self.trial, Unset):
            trial = UNSET
        else:
            trial = self.trial

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "tier": tier,
            }
        )
        if interval is not UNSET:
            field_dict["interval"] = interval
        if currency is not UNSET:
            field_dict["currency"] = currency
        if promotion_code is not UNSET:
            field_dict["promotion_code"] = promotion_code
        if trial is not UNSET:
            field_dict["trial"] = trial

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        tier = d.pop("tier")

        _interval = d.pop("interval", UNSET)
        interval: SubscriptionCreateInterval | Unset
        if isinstance(_interval, Unset):
            interval = UNSET
        else:
            interval = SubscriptionCreateInterval(_interval)

        def _parse_currency(
            data: object,
        ) -> (
            None
            | SubscriptionCreateCurrencyType1
            | SubscriptionCreateCurrencyType2Type1
            | SubscriptionCreateCurrencyType3Type1
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_1 = SubscriptionCreateCurrencyType1(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_2_type_1 = SubscriptionCreateCurrencyType2Type1(data)

                return currency_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_3_type_1 = SubscriptionCreateCurrencyType3Type1(data)

                return currency_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | SubscriptionCreateCurrencyType1
                | SubscriptionCreateCurrencyType2Type1
                | SubscriptionCreateCurrencyType3Type1
                | Unset,
                data,
            )

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_promotion_code(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        promotion_code = _parse_promotion_code(d.pop("promotion_code", UNSET))

        def _parse_trial(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        trial = _parse_trial(d.pop("trial", UNSET))

        subscription_create = cls(
            tier=tier,
            interval=interval,
            currency=currency,
            promotion_code=promotion_code,
            trial=trial,
        )

        return subscription_create
