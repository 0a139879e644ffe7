from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionPastDue")


@_attrs_define
class SubscriptionPastDue:
    """`subscription.past_due`: a renewal payment failed; the grace period has started.

    Attributes:
        customer (str): The tenant app's customer.
        subscription (str): The Stripe subscription.
        tier (str): The plan tier.
        interval (str): `month` or `year`.
        status (str): The Stripe status (`active`, `past_due`, ...).
        current_period_end (datetime.datetime): When the current period ends.
        cancel_at_period_end (bool): Whether it ends with the period.
        past_due_since (datetime.datetime): When the renewal first failed.
        grace_ends_at (datetime.datetime): When the grace period ends.
    """

    customer: str
    subscription: str
    tier: str
    interval: str
    status: str
    current_period_end: datetime.datetime
    cancel_at_period_end: bool
    past_due_since: datetime.datetime
    grace_ends_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        subscription = self.subscription

        tier = self.tier

        interval = self.interval

        status = self.status

        current_period_end = self.current_period_end.isoformat()

        cancel_at_period_end = self.cancel_at_period_end

        past_due_since = self.past_due_since.isoformat()

        grace_ends_at = self.grace_ends_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "subscription": subscription,
                "tier": tier,
                "interval": interval,
                "status": status,
                "current_period_end": current_period_end,
                "cancel_at_period_end": cancel_at_period_end,
                "past_due_since": past_due_since,
                "grace_ends_at": grace_ends_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        subscription = d.pop("subscription")

        tier = d.pop("tier")

        interval = d.pop("interval")

        status = d.pop("status")

        current_period_end = datetime.datetime.fromisoformat(d.pop("current_period_end"))

        cancel_at_period_end = d.pop("cancel_at_period_end")

        past_due_since = datetime.datetime.fromisoformat(d.pop("past_due_since"))

        grace_ends_at = datetime.datetime.fromisoformat(d.pop("grace_ends_at"))

        subscription_past_due = cls(
            customer=customer,
            subscription=subscription,
            tier=tier,
            interval=interval,
            status=status,
            current_period_end=current_period_end,
            cancel_at_period_end=cancel_at_period_end,
            past_due_since=past_due_since,
            grace_ends_at=grace_ends_at,
        )

        subscription_past_due.additional_properties = d
        return subscription_past_due

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
