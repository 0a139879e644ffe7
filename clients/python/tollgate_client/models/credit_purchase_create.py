from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.credit_purchase_create_currency_type_1 import CreditPurchaseCreateCurrencyType1
from ..models.credit_purchase_create_currency_type_2_type_1 import CreditPurchaseCreateCurrencyType2Type1
from ..models.credit_purchase_create_currency_type_3_type_1 import CreditPurchaseCreateCurrencyType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="CreditPurchaseCreate")


@_attrs_define
class CreditPurchaseCreate:
    """Either `credits` (with `currency` when several are offered) or `price` and `quantity`.

    Attributes:
        credits_ (int | None | Unset): Credits to buy, priced by the tenant's credit price in `currency`; null: buy
            `price` by `quantity`.
        currency (CreditPurchaseCreateCurrencyType1 | CreditPurchaseCreateCurrencyType2Type1 |
            CreditPurchaseCreateCurrencyType3Type1 | None | Unset): The currency to pay in, with `credits`; null: the only
            one offered.
        price (None | str | Unset): A pack's name in the settings or a synced Stripe price id (`GET /credit-prices`);
            null: buy `credits`.
        quantity (int | None | Unset): How many of `price`, up to `max_quantity`; null: one.
        payment_method (None | str | Unset): A card saved on the customer (`GET .../payment-methods`): charged now, off-
            session; a refused card answers 402 (`card_declined` with Stripe's `decline_code`, or `requires_action` for 3-D
            Secure). null: answer a `client_secret` for the app's payment form.
    """

    credits_: int | None | Unset = UNSET
    currency: (
        CreditPurchaseCreateCurrencyType1
        | CreditPurchaseCreateCurrencyType2Type1
        | CreditPurchaseCreateCurrencyType3Type1
        | None
        | Unset
    ) = UNSET
    price: None | str | Unset = UNSET
    quantity: int | None | Unset = UNSET
    payment_method: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credits_: int | None | Unset
        if isinstance(self.credits_, Unset):
            credits_ = UNSET
        else:
            credits_ = self.credits_

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        elif isinstance(self.currency, CreditPurchaseCreateCurrencyType1):
            currency = self.currency.value
        elif isinstance(self.currency, CreditPurchaseCreateCurrencyType2Type1):
            currency = self.currency.value
        elif isinstance(self.currency, CreditPurchaseCreateCurrencyType3Type1):
            currency = self.currency.value
        else:
            currency = self.currency

        price: None | str | Unset
        if isinstance(self.price, Unset):
            price = UNSET
        else:
            price = self.price

        quantity: int | None | Unset
        if isinstance(self.quantity, Unset):
            quantity = UNSET
        else:
            quantity = self.quantity

        payment_method: None | str | Unset
        if isinstance(self.payment_method, Unset):
            payment_method = UNSET
        else:
            payment_method = self.payment_method

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if credits_ is not UNSET:
            field_dict["credits"] = credits_
        if currency is not UNSET:
            field_dict["currency"] = currency
        if price is not UNSET:
            field_dict["price"] = price
        if quantity is not UNSET:
            field_dict["quantity"] = quantity
        if payment_method is not UNSET:
            field_dict["payment_method"] = payment_method

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_credits_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_ = _parse_credits_(d.pop("credits", UNSET))

        def _parse_currency(
            data: object,
        ) -> (
            CreditPurchaseCreateCurrencyType1
            | CreditPurchaseCreateCurrencyType2Type1
            | CreditPurchaseCreateCurrencyType3Type1
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
                currency_type_1 = CreditPurchaseCreateCurrencyType1(data)

                return currency_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_2_type_1 = CreditPurchaseCreateCurrencyType2Type1(data)

                return currency_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                currency_type_3_type_1 = CreditPurchaseCreateCurrencyType3Type1(data)

                return currency_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CreditPurchaseCreateCurrencyType1
                | CreditPurchaseCreateCurrencyType2Type1
                | CreditPurchaseCreateCurrencyType3Type1
                | None
                | Unset,
                data,
            )

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_price(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        price = _parse_price(d.pop("price", UNSET))

        def _parse_quantity(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        quantity = _parse_quantity(d.pop("quantity", UNSET))

        def _parse_payment_method(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment_method = _parse_payment_method(d.pop("payment_method", UNSET))

        credit_purchase_create = cls(
            credits_=credits_,
            currency=currency,
            price=price,
            quantity=quantity,
            payment_method=payment_method,
        )

        return credit_purchase_create
