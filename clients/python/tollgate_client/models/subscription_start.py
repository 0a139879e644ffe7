from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SubscriptionStart")


@_attrs_define
class SubscriptionStart:
    """A subscription waiting for its first payment: the app's form confirms `client_secret` with Stripe.js.

    Attributes:
        subscription_id (str): The Stripe subscription (`sub_...`).
        status (str): Stripe's status: `incomplete` until the first payment succeeds (then `active` through the
            webhook), `trialing` for a trial, `active` when nothing was due.
        client_secret (None | str): The secret the form confirms: the first invoice's payment (`stripe.confirmPayment`),
            or for a trial with nothing due the SetupIntent that saves the card (`stripe.confirmSetup`); null: nothing to
            confirm.
        secret_type (None | str): `payment` (a PaymentIntent's secret), `setup` (a SetupIntent's), or null.
        tier (str): The tier subscribed to.
        interval (str): The billing period: `month` or `year`.
        price_id (str): The Stripe price charged.
        currency (str): The ISO 4217 currency, lowercase.
        amount_due (int): The first invoice, in minor units of `currency` (after any promotion code).
        trial_days (int): Days of free trial before the first charge; 0: none.
        trial_end (datetime.datetime | None): When the trial ends; null: no trial.
        expires_at (datetime.datetime | None): When Stripe gives up on an unpaid first invoice (`incomplete_expired`:
            the customer stays on the free tier); null when nothing is due.
    """

    subscription_id: str
    status: str
    client_secret: None | str
    secret_type: None | str
    tier: str
    interval: str
    price_id: str
    currency: str
    amount_due: int
    trial_days: int
    trial_end: datetime.datetime | None
    expires_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        subscription_id = self.subscription_id

        status = self.status

        client_secret: None | str
        client_secret = self.client_secret

        secret_type: None | str
        secret_type = self.secret_type

        tier = self.tier

        interval = self.interval

        price_id = self.price_id

        currency = self.currency

        amount_due = self.amount_due

        trial_days = self.trial_days

        trial_end: None | str
        if isinstance(self.trial_end, datetime.datetime):
            trial_end = self.trial_end.isoformat()
        else:
            trial_end = self.trial_end

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "subscription_id": subscription_id,
                "status": status,
                "client_secret": client_secret,
                "secret_type": secret_type,
                "tier": tier,
                "interval": interval,
                "price_id": price_id,
                "currency": currency,
                "amount_due": amount_due,
                "trial_days": trial_days,
                "trial_end": trial_end,
                "expires_at": expires_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        subscription_id = d.pop("subscription_id")

        status = d.pop("status")

        def _parse_client_secret(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        client_secret = _parse_client_secret(d.pop("client_secret"))

        def _parse_secret_type(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        secret_type = _parse_secret_type(d.pop("secret_type"))

        tier = d.pop("tier")

        interval = d.pop("interval")

        price_id = d.pop("price_id")

        currency = d.pop("currency")

        amount_due = d.pop("amount_due")

        trial_days = d.pop("trial_days")

        def _parse_trial_end(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trial_end_type_0 = datetime.datetime.fromisoformat(data)

                return trial_end_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        trial_end = _parse_trial_end(d.pop("trial_end"))

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        subscription_start = cls(
            subscription_id=subscription_id,
            status=status,
            client_secret=client_secret,
            secret_type=secret_type,
            tier=tier,
            interval=interval,
            price_id=price_id,
            currency=currency,
            amount_due=amount_due,
            trial_days=trial_days,
            trial_end=trial_end,
            expires_at=expires_at,
        )

        subscription_start.additional_properties = d
        return subscription_start

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
