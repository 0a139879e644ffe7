from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="PendingPayment")


@_attrs_define
class PendingPayment:
    """A subscription started in the app whose first payment has not gone through yet.

    Attributes:
        subscription_id (str): The Stripe subscription (`sub_...`).
        tier (str): The tier it is for.
        interval (str): The billing period: `month` or `year`.
        status (str): Stripe's subscription status: `incomplete`.
        payment_status (str): `requires_payment_method` (not paid yet, or the card was declined: confirm again) or
            `requires_action` (the bank asks for 3-D Secure: the form must let the customer authenticate).
        expires_at (datetime.datetime): When Stripe gives up on it (23 hours after it was started).
    """

    subscription_id: str
    tier: str
    interval: str
    status: str
    payment_status: str
    expires_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscription_id = self.subscription_id

        tier = self.tier

        interval = self.interval

        status = self.status

        payment_status = self.payment_status

        expires_at = self.expires_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription_id": subscription_id,
                "tier": tier,
                "interval": interval,
                "status": status,
                "payment_status": payment_status,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subscription_id = d.pop("subscription_id")

        tier = d.pop("tier")

        interval = d.pop("interval")

        status = d.pop("status")

        payment_status = d.pop("payment_status")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        pending_payment = cls(
            subscription_id=subscription_id,
            tier=tier,
            interval=interval,
            status=status,
            payment_status=payment_status,
            expires_at=expires_at,
        )

        pending_payment.additional_properties = d
        return pending_payment

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
