from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.order_status import OrderStatus

if TYPE_CHECKING:
    from ..models.payment import Payment
    from ..models.refund import Refund


T = TypeVar("T", bound="Order")


@_attrs_define
class Order:
    """An order of one pack: its payments, the credits they granted, and its refunds.

    Attributes:
        id (str): The order's id.
        customer (str): The tenant app's customer id.
        package (str): The pack's id.
        package_name (str): The pack's display name when ordered.
        status (OrderStatus): `pending` until paid in Checkout; then `succeeded`, `failed`, `expired`, `refunded` or
            `partially_refunded`.
        currency (str): ISO 4217 currency, lowercase.
        amount (int): The pack's price, in minor units of `currency` (450 eur: 4.50 EUR).
        amount_discount (int): Money a promotion code took off, in minor units.
        amount_paid (int): Money paid, in minor units (each period's, for a recurring pack).
        amount_refunded (int): Money refunded, in minor units.
        credits_ (int): Credits the pack gives.
        bonus_credits (int): Credits given on top.
        credits_granted (int): Credits granted so far (each period's, for a recurring pack).
        credits_clawed_back (int): Credits taken back by refunds and disputes.
        interval (None | str): `month` or `year` for a recurring pack; null: one-time.
        promotion_code (None | str): The promotion code applied; null: none.
        payment_url (None | str): Stripe Checkout's page while the order is pending; null once paid or closed.
        checkout_session_id (None | str): The Stripe Checkout session (`cs_...`).
        subscription_id (None | str): The Stripe subscription of a recurring pack; null: one-time.
        failure_code (None | str): Why the payment failed, as a code; null unless `failed`.
        failure_message (None | str): Why it failed, in words; null unless `failed`.
        created_at (datetime.datetime): When it was ordered.
        paid_at (datetime.datetime | None): When it was first paid; null until then.
        payments (list[Payment]): Its payments, oldest first.
        refunds (list[Refund]): Its refunds, oldest first.
    """

    id: str
    customer: str
    package: str
    package_name: str
    status: OrderStatus
    currency: str
    amount: int
    amount_discount: int
    amount_paid: int
    amount_refunded: int
    credits_: int
    bonus_credits: int
    credits_granted: int
    credits_clawed_back: int
    interval: None | str
    promotion_code: None | str
    payment_url: None | str
    checkout_session_id: None | str
    subscription_id: None | str
    failure_code: None | str
    failure_message: None | str
    created_at: datetime.datetime
    paid_at: datetime.datetime | None
    payments: list[Payment]
    refunds: list[Refund]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        package = self.package

        package_name = self.package_name

        status = self.status.value

        currency = self.currency

        amount = self.amount

        amount_discount = self.amount_discount

        amount_paid = self.amount_paid

        amount_refunded = self.amount_refunded

        credits_ = self.credits_

        bonus_credits = self.bonus_credits

        credits_granted = self.credits_granted

        credits_clawed_back = self.credits_clawed_back

        interval: None | str
        interval = self.interval

        promotion_code: None | str
        promotion_code = self.promotion_code

        payment_url: None | str
        payment_url = self.payment_url

        checkout_session_id: None | str
        checkout_session_id = self.checkout_session_id

        subscription_id: None | str
        subscription_id = self.subscription_id

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

        payments = []
        for payments_item_data in self.payments:
            payments_item = payments_item_data.to_dict()
            payments.append(payments_item)

        refunds = []
        for refunds_item_data in self.refunds:
            refunds_item = refunds_item_data.to_dict()
            refunds.append(refunds_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "package": package,
                "package_name": package_name,
                "status": status,
                "currency": currency,
                "amount": amount,
                "amount_discount": amount_discount,
                "amount_paid": amount_paid,
                "amount_refunded": amount_refunded,
                "credits": credits_,
                "bonus_credits": bonus_credits,
                "credits_granted": credits_granted,
                "credits_clawed_back": credits_clawed_back,
                "interval": interval,
                "promotion_code": promotion_code,
                "payment_url": payment_url,
                "checkout_session_id": checkout_session_id,
                "subscription_id": subscription_id,
                "failure_code": failure_code,
                "failure_message": failure_message,
                "created_at": created_at,
                "paid_at": paid_at,
                "payments": payments,
                "refunds": refunds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.payment import Payment  # noqa: PLC0415
        from ..models.refund import Refund  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        package = d.pop("package")

        package_name = d.pop("package_name")

        status = OrderStatus(d.pop("status"))

        currency = d.pop("currency")

        amount = d.pop("amount")

        amount_discount = d.pop("amount_discount")

        amount_paid = d.pop("amount_paid")

        amount_refunded = d.pop("amount_refunded")

        credits_ = d.pop("credits")

        bonus_credits = d.pop("bonus_credits")

        credits_granted = d.pop("credits_granted")

        credits_clawed_back = d.pop("credits_clawed_back")

        def _parse_interval(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        interval = _parse_interval(d.pop("interval"))

        def _parse_promotion_code(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        promotion_code = _parse_promotion_code(d.pop("promotion_code"))

        def _parse_payment_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payment_url = _parse_payment_url(d.pop("payment_url"))

        def _parse_checkout_session_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        checkout_session_id = _parse_checkout_session_id(d.pop("checkout_session_id"))

        def _parse_subscription_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subscription_id = _parse_subscription_id(d.pop("subscription_id"))

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

        payments = []
        _payments = d.pop("payments")
        for payments_item_data in _payments:
            payments_item = Payment.from_dict(payments_item_data)

            payments.append(payments_item)

        refunds = []
        _refunds = d.pop("refunds")
        for refunds_item_data in _refunds:
            refunds_item = Refund.from_dict(refunds_item_data)

            refunds.append(refunds_item)

        order = cls(
            id=id,
            customer=customer,
            package=package,
            package_name=package_name,
            status=status,
            currency=currency,
            amount=amount,
            amount_discount=amount_discount,
            amount_paid=amount_paid,
            amount_refunded=amount_refunded,
            credits_=credits_,
            bonus_credits=bonus_credits,
            credits_granted=credits_granted,
            credits_clawed_back=credits_clawed_back,
            interval=interval,
            promotion_code=promotion_code,
            payment_url=payment_url,
            checkout_session_id=checkout_session_id,
            subscription_id=subscription_id,
            failure_code=failure_code,
            failure_message=failure_message,
            created_at=created_at,
            paid_at=paid_at,
            payments=payments,
            refunds=refunds,
        )

        order.additional_properties = d
        return order

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
