from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="PaymentFailed")


@_attrs_define
class PaymentFailed:
    """`payment.failed`: a payment failed. Subscriptions send the plan's state and the invoice's; token
    packages the order's (and the invoice's for a recurring pack). Fields one of them does not send are absent.

        Attributes:
            customer (str): The tenant app's customer.
            currency (None | str | Unset): ISO currency code, lower case.
            invoice (None | str | Unset): The Stripe invoice that failed; null: none.
            subscription (None | str | Unset): The Stripe subscription, if any.
            tier (None | str | Unset): Subscriptions: the plan tier.
            interval (None | str | Unset): Subscriptions: `month` or `year`.
            status (None | str | Unset): Subscriptions: the Stripe status.
            current_period_end (datetime.datetime | None | Unset): Subscriptions: when the current period ends.
            cancel_at_period_end (bool | None | Unset): Subscriptions: whether it ends with the period.
            amount_due (int | None | Unset): Subscriptions: minor units the invoice asks.
            attempt_count (int | None | Unset): Subscriptions: Stripe's attempts so far.
            action_required (bool | None | Unset): Subscriptions: the customer must authenticate (3-D Secure).
            hosted_invoice_url (None | str | Unset): Subscriptions: where the customer pays the invoice.
            next_payment_attempt (datetime.datetime | None | Unset): Subscriptions: Stripe's next try; null: none.
            order (None | str | Unset): Token packages: the order's id.
            package (None | str | Unset): Token packages: the package's id.
            reason (None | str | Unset): Token packages: why it failed (a code).
            amount (int | None | Unset): Token packages: minor units asked.
    """

    customer: str
    currency: None | str | Unset = UNSET
    invoice: None | str | Unset = UNSET
    subscription: None | str | Unset = UNSET
    tier: None | str | Unset = UNSET
    interval: None | str | Unset = UNSET
    status: None | str | Unset = UNSET
    current_period_end: datetime.datetime | None | Unset = UNSET
    cancel_at_period_end: bool | None | Unset = UNSET
    amount_due: int | None | Unset = UNSET
    attempt_count: int | None | Unset = UNSET
    action_required: bool | None | Unset = UNSET
    hosted_invoice_url: None | str | Unset = UNSET
    next_payment_attempt: datetime.datetime | None | Unset = UNSET
    order: None | str | Unset = UNSET
    package: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    amount: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        currency: None | str | Unset
        if isinstance(self.currency, Unset):
            currency = UNSET
        else:
            currency = self.currency

        invoice: None | str | Unset
        if isinstance(self.invoice, Unset):
            invoice = UNSET
        else:
            invoice = self.invoice

        subscription: None | str | Unset
        if isinstance(self.subscription, Unset):
            subscription = UNSET
        else:
            subscription = self.subscription

        tier: None | str | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        else:
            tier = self.tier

        interval: None | str | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        else:
            interval = self.interval

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        else:
            status = self.status

        current_period_end: None | str | Unset
        if isinstance(self.current_period_end, Unset):
            current_period_end = UNSET
        elif isinstance(self.current_period_end, datetime.datetime):
            current_period_end = self.current_period_end.isoformat()
        else:
            current_period_end = self.current_period_end

        cancel_at_period_end: bool | None | Unset
        if isinstance(self.cancel_at_period_end, Unset):
            cancel_at_period_end = UNSET
        else:
            cancel_at_period_end = self.cancel_at_period_end

        amount_due: int | None | Unset
        if isinstance(self.amount_due, Unset):
            amount_due = UNSET
        else:
            amount_due = self.amount_due

        attempt_count: int | None | Unset
        if isinstance(self.attempt_count, Unset):
            attempt_count = UNSET
        else:
            attempt_count = self.attempt_count

        action_required: bool | None | Unset
        if isinstance(self.action_required, Unset):
            action_required = UNSET
        else:
            action_required = self.action_required

        hosted_invoice_url: None | str | Unset
        if isinstance(self.hosted_invoice_url, Unset):
            hosted_invoice_url = UNSET
        else:
            hosted_invoice_url = self.hosted_invoice_url

        next_payment_attempt: None | str | Unset
        if isinstance(self.next_payment_attempt, Unset):
            next_payment_attempt = UNSET
        elif isinstance(self.next_payment_attempt, datetime.datetime):
            next_payment_attempt = self.next_payment_attempt.isoformat()
        else:
            next_payment_attempt = self.next_payment_attempt

        order: None | str | Unset
        if isinstance(self.order, Unset):
            order = UNSET
        else:
            order = self.order

        package: None | str | Unset
        if isinstance(self.package, Unset):
            package = UNSET
        else:
            package = self.package

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        amount: int | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
            }
        )
        if currency is not UNSET:
            field_dict["currency"] = currency
        if invoice is not UNSET:
            field_dict["invoice"] = invoice
        if subscription is not UNSET:
            field_dict["subscription"] = subscription
        if tier is not UNSET:
            field_dict["tier"] = tier
        if interval is not UNSET:
            field_dict["interval"] = interval
        if status is not UNSET:
            field_dict["status"] = status
        if current_period_end is not UNSET:
            field_dict["current_period_end"] = current_period_end
        if cancel_at_period_end is not UNSET:
            field_dict["cancel_at_period_end"] = cancel_at_period_end
        if amount_due is not UNSET:
            field_dict["amount_due"] = amount_due
        if attempt_count is not UNSET:
            field_dict["attempt_count"] = attempt_count
        if action_required is not UNSET:
            field_dict["action_required"] = action_required
        if hosted_invoice_url is not UNSET:
            field_dict["hosted_invoice_url"] = hosted_invoice_url
        if next_payment_attempt is not UNSET:
            field_dict["next_payment_attempt"] = next_payment_attempt
        if order is not UNSET:
            field_dict["order"] = order
        if package is not UNSET:
            field_dict["package"] = package
        if reason is not UNSET:
            field_dict["reason"] = reason
        if amount is not UNSET:
            field_dict["amount"] = amount

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        def _parse_currency(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        currency = _parse_currency(d.pop("currency", UNSET))

        def _parse_invoice(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        invoice = _parse_invoice(d.pop("invoice", UNSET))

        def _parse_subscription(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        subscription = _parse_subscription(d.pop("subscription", UNSET))

        def _parse_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        def _parse_interval(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_status(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_current_period_end(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                current_period_end_type_0 = datetime.datetime.fromisoformat(data)

                return current_period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        current_period_end = _parse_current_period_end(d.pop("current_period_end", UNSET))

        def _parse_cancel_at_period_end(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        cancel_at_period_end = _parse_cancel_at_period_end(d.pop("cancel_at_period_end", UNSET))

        def _parse_amount_due(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        amount_due = _parse_amount_due(d.pop("amount_due", UNSET))

        def _parse_attempt_count(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        attempt_count = _parse_attempt_count(d.pop("attempt_count", UNSET))

        def _parse_action_required(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        action_required = _parse_action_required(d.pop("action_required", UNSET))

        def _parse_hosted_invoice_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        hosted_invoice_url = _parse_hosted_invoice_url(d.pop("hosted_invoice_url", UNSET))

        def _parse_next_payment_attempt(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_payment_attempt_type_0 = datetime.datetime.fromisoformat(data)

                return next_payment_attempt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        next_payment_attempt = _parse_next_payment_attempt(d.pop("next_payment_attempt", UNSET))

        def _parse_order(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        order = _parse_order(d.pop("order", UNSET))

        def _parse_package(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        package = _parse_package(d.pop("package", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_amount(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        payment_failed = cls(
            customer=customer,
            currency=currency,
            invoice=invoice,
            subscription=subscription,
            tier=tier,
            interval=interval,
            status=status,
            current_period_end=current_period_end,
            cancel_at_period_end=cancel_at_period_end,
            amount_due=amount_due,
            attempt_count=attempt_count,
            action_required=action_required,
            hosted_invoice_url=hosted_invoice_url,
            next_payment_attempt=next_payment_attempt,
            order=order,
            package=package,
            reason=reason,
            amount=amount,
        )

        payment_failed.additional_properties = d
        return payment_failed

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
