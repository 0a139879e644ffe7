from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Checkout")


@_attrs_define
class Checkout:
    """The Checkout session: send the customer to `checkout_url`.

    Attributes:
        checkout_url (str): Stripe's hosted payment page.
        session_id (str): The Stripe Checkout session (`cs_...`).
        tier (str): The tier subscribed to.
        interval (str): The billing period: `month` or `year`.
        price_id (str): The Stripe price charged.
        trial_days (int): Days of free trial before the first charge; 0: none.
    """

    checkout_url: str
    session_id: str
    tier: str
    interval: str
    price_id: str
    trial_days: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        checkout_url = self.checkout_url

        session_id = self.session_id

        tier = self.tier

        interval = self.interval

        price_id = self.price_id

        trial_days = self.trial_days

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "checkout_url": checkout_url,
                "session_id": session_id,
                "tier": tier,
                "interval": interval,
                "price_id": price_id,
                "trial_days": trial_days,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        checkout_url = d.pop("checkout_url")

        session_id = d.pop("session_id")

        tier = d.pop("tier")

        interval = d.pop("interval")

        price_id = d.pop("price_id")

        trial_days = d.pop("trial_days")

        checkout = cls(
            checkout_url=checkout_url,
            session_id=session_id,
            tier=tier,
            interval=interval,
            price_id=price_id,
            trial_days=trial_days,
        )

        checkout.additional_properties = d
        return checkout

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
