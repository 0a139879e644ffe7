from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.credit_purchase_status import CreditPurchaseStatus

T = TypeVar("T", bound="CreditPurchase")


@_attrs_define
class CreditPurchase:
    """A purchase of credits by PaymentIntent: granted when the payment succeeds.

    Attributes:
        id (str): The purchase's id.
        customer (str): The tenant app's customer id.
        status (CreditPurchaseStatus): `pending` until Stripe confirms the payment, then `succeeded` or `failed`.
        credits_ (int): Credits bought.
        amount (int): Money to pay, in minor units of `currency` (2000 usd: 20.00 USD).
        currency (str): ISO 4217 currency, lowercase.
        price (None | str): The pack or Stripe price bought by quantity; null: bought by count.
        quantity (int | None): How many of `price`; null: bought by count.
        payment_intent_id (None | str): The Stripe PaymentIntent (`pi_...`); null until made.
        client_secret (None | str): The PaymentIntent's secret the frontend confirms the payment with; only in the
            answer to the POST (and its replays) without `payment_method`, else null.
        grant_id (None | str): The ledger grant of the credits; null until paid.
        failure_code (None | str): Why the payment failed, as a code; null unless `failed`.
        failure_message (None | str): Why it failed, in words; null unless `failed`.
        created_at (datetime.datetime): When the purchase was made.
        paid_at (datetime.datetime | None): When the payment succeeded; null until then.
    """

    id: str
    customer: str
    status: CreditPurchaseStatus
    credits_: int
    amount: int
    currency: str
    price: None | str
    quantity: int | None
    payment_intent_id: None | str
    client_secret: None | str
    grant_id: None | str
    failure_code: None | str
    failure_message: None | str
    created_at: datetime.datetime
    paid_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        status = self.status.value

        credits_ = self.credits_

        amount = self.amount

        currency = self.currency

        price: None | str
        price = self.price

        quantity: int | None
        quantity = self.quantity

        payment_intent_id: None | str
        payment_intent_id = self.payment_intent_id

        client_secret: None | str
        client_secret = self.client_secret

        grant_id: None | str
        grant_id = self.grant_id

        failure_code: None | str
        failure_code = self.failure_code

        failure_message: None | str
        failure_message = self.failure_message

        created_at = self.created_at.isoformat()

        paid_at: None | str
        if isinstance(self.paid_at, datetime.datetime):
            paid_at = self.paid_at.isoformat()
        else:
            paid_at = self.paid_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "status": status,
                "credits": credits_,
                "amount": amount,
                "currency": currency,
                "price": price,
                "quantity": quantity,
                "payment_intent_id": payment_intent_id,
                "client_secret": client_secret,
                "grant_id": grant_id,
                "failure_code": failure_code,
                "failure_message": failure_message,
                "created_at": created_at,
                "paid_at": paid_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        status = CreditPurchaseStatus(d.pop("status"))

        credits_ = d.pop("credits")

        amount = d.pop("amount")

        currency = d.pop("currency")

        def _parse_price(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        price = _parse_price(d.pop("price"))

        def _parse_quantity(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        quantity = _parse_quantity(d.pop("quantity"))

        def _parse_payment_intent_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payment_intent_id = _parse_payment_intent_id(d.pop("payment_intent_id"))

        def _parse_client_secret(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        client_secret = _parse_client_secret(d.pop("client_secret"))

        def _parse_grant_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        grant_id = _parse_grant_id(d.pop("grant_id"))

        def _parse_failure_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_code = _parse_failure_code(d.pop("failure_code"))

        def _parse_failure_message(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        failure_message = _parse_failure_message(d.pop("failure_message"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_paid_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                paid_at_type_0 = datetime.datetime.fromisoformat(data)

                return paid_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        paid_at = _parse_paid_at(d.pop("paid_at"))

        credit_purchase = cls(
            id=id,
            customer=customer,
            status=status,
            credits_=credits_,
            amount=amount,
            currency=currency,
            price=price,
            quantity=quantity,
            payment_intent_id=payment_intent_id,
            client_secret=client_secret,
            grant_id=grant_id,
            failure_code=failure_code,
            failure_message=failure_message,
            created_at=created_at,
            paid_at=paid_at,
        )

        credit_purchase.additional_properties = d
        return credit_purchase

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
