from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.refund_source import RefundSource
from ..models.refund_status import RefundStatus

T = TypeVar("T", bound="Refund")


@_attrs_define
class Refund:
    """Money given back for an order's payment, and the credits taken back in proportion.

    Attributes:
        id (str): The refund's id.
        order_id (str): The order refunded.
        payment_id (str): The payment refunded.
        status (RefundStatus): `pending` until Stripe answers, then `succeeded` or `failed`.
        source (RefundSource): `api`: asked here; `stripe`: made in Stripe's dashboard and learnt from its events.
        amount (int): Money refunded, in minor units of `currency`.
        requested_amount (int | None): Money asked for; null: all that was left to refund.
        currency (str): ISO 4217 currency, lowercase.
        policy (str): What was done with spent credits: `refuse`, `allow_negative` or `unspent_only`.
        credits_ (int): Credits the refunded money bought.
        credits_clawed_back (int): Credits taken back in all.
        credits_from_grant (int): Of them, credits the order's grant still had.
        credits_from_balance (int): Of them, credits taken from the customer's other grants.
        credits_as_debt (int): Of them, credits the customer now owes (`allow_negative`).
        reason (None | str): The reason given; null: none.
        stripe_refund_id (None | str): The Stripe refund (`re_...`); null until Stripe made it.
        failure_code (None | str): Why it failed, as a code; null unless `failed`.
        failure_message (None | str): Why it failed, in words; null unless `failed`.
        created_at (datetime.datetime): When it was asked for.
        succeeded_at (datetime.datetime | None): When Stripe confirmed it; null until then.
    """

    id: str
    order_id: str
    payment_id: str
    status: RefundStatus
    source: RefundSource
    amount: int
    requested_amount: int | None
    currency: str
    policy: str
    credits_: int
    credits_clawed_back: int
    credits_from_grant: int
    credits_from_balance: int
    credits_as_debt: int
    reason: None | str
    stripe_refund_id: None | str
    failure_code: None | str
    failure_message: None | str
    created_at: datetime.datetime
    succeeded_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        order_id = self.order_id

        payment_id = self.payment_id

        status = self.status.value

        source = self.source.value

        amount = self.amount

        requested_amount: int | None
        requested_amount = self.requested_amount

        currency = self.currency

        policy = self.policy

        credits_ = self.credits_

        credits_clawed_back = self.credits_clawed_back

        credits_from_grant = self.credits_from_grant

        credits_from_balance = self.credits_from_balance

        credits_as_debt = self.credits_as_debt

        reason: None | str
        reason = self.reason

        stripe_refund_id: None | str
        stripe_refund_id = self.stripe_refund_id

        failure_code: None | str
        failure_code = self.failure_code

        failure_message: None | str
        failure_message = self.failure_message

        created_at = self.created_at.isoformat()

        succeeded_at: None | str
        if isinstance(self.succeeded_at, datetime.datetime):
            succeeded_at = self.succeeded_at.isoformat()
        else:
            succeeded_at = self.succeeded_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "order_id": order_id,
                "payment_id": payment_id,
                "status": status,
                "source": source,
                "amount": amount,
                "requested_amount": requested_amount,
                "currency": currency,
                "policy": policy,
                "credits": credits_,
                "credits_clawed_back": credits_clawed_back,
                "credits_from_grant": credits_from_grant,
                "credits_from_balance": credits_from_balance,
                "credits_as_debt": credits_as_debt,
                "reason": reason,
                "stripe_refund_id": stripe_refund_id,
                "failure_code": failure_code,
                "failure_message": failure_message,
                "created_at": created_at,
                "succeeded_at": succeeded_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        order_id = d.pop("order_id")

        payment_id = d.pop("payment_id")

        status = RefundStatus(d.pop("status"))

        source = RefundSource(d.pop("source"))

        amount = d.pop("amount")

        def _parse_requested_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        requested_amount = _parse_requested_amount(d.pop("requested_amount"))

        currency = d.pop("currency")

        policy = d.pop("policy")

        credits_ = d.pop("credits")

        credits_clawed_back = d.pop("credits_clawed_back")

        credits_from_grant = d.pop("credits_from_grant")

        credits_from_balance = d.pop("credits_from_balance")

        credits_as_debt = d.pop("credits_as_debt")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        def _parse_stripe_refund_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_refund_id = _parse_stripe_refund_id(d.pop("stripe_refund_id"))

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

        def _parse_succeeded_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                succeeded_at_type_0 = datetime.datetime.fromisoformat(data)

                return succeeded_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        succeeded_at = _parse_succeeded_at(d.pop("succeeded_at"))

        refund = cls(
            id=id,
            order_id=order_id,
            payment_id=payment_id,
            status=status,
            source=source,
            amount=amount,
            requested_amount=requested_amount,
            currency=currency,
            policy=policy,
            credits_=credits_,
            credits_clawed_back=credits_clawed_back,
            credits_from_grant=credits_from_grant,
            credits_from_balance=credits_from_balance,
            credits_as_debt=credits_as_debt,
            reason=reason,
            stripe_refund_id=stripe_refund_id,
            failure_code=failure_code,
            failure_message=failure_message,
            created_at=created_at,
            succeeded_at=succeeded_at,
        )

        refund.additional_properties = d
        return refund

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
