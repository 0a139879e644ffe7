from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dispute import Dispute


T = TypeVar("T", bound="Payment")


@_attrs_define
class Payment:
    """One payment of an order (a recurring pack has one per period) and the credits it granted.

    Attributes:
        id (str): The payment's id, to refund it alone (`RefundCreate.payment`).
        invoice_id (None | str): The Stripe invoice (`in_...`) of a recurring pack's period; null: one-time.
        payment_intent_id (None | str): The Stripe PaymentIntent (`pi_...`); null when Stripe gave none.
        amount (int): Money paid, in minor units of `currency`.
        currency (str): ISO 4217 currency, lowercase.
        credits_ (int): Credits the payment granted.
        credits_expire_at (datetime.datetime | None): When those credits expire; null: never.
        paid_at (datetime.datetime): When the payment succeeded.
        period_start (datetime.datetime | None): The start of the period paid for (recurring packs); null: one-time.
        period_end (datetime.datetime | None): Its end; null: one-time.
        amount_refunded (int): Money refunded of it, in minor units of `currency`.
        credits_clawed_back (int): Credits taken back by its refunds and disputes.
        dispute (Dispute | None): Its chargeback; null: none.
    """

    id: str
    invoice_id: None | str
    payment_intent_id: None | str
    amount: int
    currency: str
    credits_: int
    credits_expire_at: datetime.datetime | None
    paid_at: datetime.datetime
    period_start: datetime.datetime | None
    period_end: datetime.datetime | None
    amount_refunded: int
    credits_clawed_back: int
    dispute: Dispute | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.dispute import Dispute  # noqa: PLC0415

        id = self.id

        invoice_id: None | str
        invoice_id = self.invoice_id

        payment_intent_id: None | str
        payment_intent_id = self.payment_intent_id

        amount = self.amount

        currency = self.currency

        credits_ = self.credits_

        credits_expire_at: None | str
        if isinstance(self.credits_expire_at, datetime.datetime):
            credits_expire_at = self.credits_expire_at.isoformat()
        else:
            credits_expire_at = self.credits_expire_at

        paid_at = self.paid_at.isoformat()

        period_start: None | str
        if isinstance(self.period_start, datetime.datetime):
            period_start = self.period_start.isoformat()
        else:
            period_start = self.period_start

        period_end: None | str
        if isinstance(self.period_end, datetime.datetime):
            period_end = self.period_end.isoformat()
        else:
            period_end = self.period_end

        amount_refunded = self.amount_refunded

        credits_clawed_back = self.credits_clawed_back

        dispute: dict[str, Any] | None
        if isinstance(self.dispute, Dispute):
            dispute = self.dispute.to_dict()
        else:
            dispute = self.dispute

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "invoice_id": invoice_id,
                "payment_intent_id": payment_intent_id,
                "amount": amount,
                "currency": currency,
                "credits": credits_,
                "credits_expire_at": credits_expire_at,
                "paid_at": paid_at,
                "period_start": period_start,
                "period_end": period_end,
                "amount_refunded": amount_refunded,
                "credits_clawed_back": credits_clawed_back,
                "dispute": dispute,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.dispute import Dispute  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_invoice_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        invoice_id = _parse_invoice_id(d.pop("invoice_id"))

        def _parse_payment_intent_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        payment_intent_id = _parse_payment_intent_id(d.pop("payment_intent_id"))

        amount = d.pop("amount")

        currency = d.pop("currency")

        credits_ = d.pop("credits")

        def _parse_credits_expire_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credits_expire_at_type_0 = datetime.datetime.fromisoformat(data)

                return credits_expire_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        credits_expire_at = _parse_credits_expire_at(d.pop("credits_expire_at"))

        paid_at = datetime.datetime.fromisoformat(d.pop("paid_at"))

        def _parse_period_start(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_start_type_0 = datetime.datetime.fromisoformat(data)

                return period_start_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_start = _parse_period_start(d.pop("period_start"))

        def _parse_period_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                period_end_type_0 = datetime.datetime.fromisoformat(data)

                return period_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        period_end = _parse_period_end(d.pop("period_end"))

        amount_refunded = d.pop("amount_refunded")

        credits_clawed_back = d.pop("credits_clawed_back")

        def _parse_dispute(data: object) -> Dispute | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                dispute_type_0 = Dispute.from_dict(data)

                return dispute_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(Dispute | None, data)

        dispute = _parse_dispute(d.pop("dispute"))

        payment = cls(
            id=id,
            invoice_id=invoice_id,
            payment_intent_id=payment_intent_id,
            amount=amount,
            currency=currency,
            credits_=credits_,
            credits_expire_at=credits_expire_at,
            paid_at=paid_at,
            period_start=period_start,
            period_end=period_end,
            amount_refunded=amount_refunded,
            credits_clawed_back=credits_clawed_back,
            dispute=dispute,
        )

        payment.additional_properties = d
        return payment

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
