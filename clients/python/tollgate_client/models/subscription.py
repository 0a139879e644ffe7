from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.pending_payment import PendingPayment
    from ..models.subscription_features import SubscriptionFeatures


T = TypeVar("T", bound="Subscription")


@_attrs_define
class Subscription:
    """The plan a customer is on: a Stripe subscription, or the default tier without one.

    Attributes:
        customer (str): The tenant app's customer id.
        tier (str): The tier's id.
        tier_name (str): The tier's display name.
        status (str): Stripe's subscription status (`active`, `trialing`, `past_due`, ...), or `free` on the default
            tier without a subscription.
        subscription_id (None | str): The Stripe subscription (`sub_...`); null on the default tier.
        interval (None | str): The billing period, `month` or `year`; null on the default tier.
        credits_remaining (int): Every credit the customer can spend now (plan, purchases, grants): the ledger's
            balance.
        credits_per_month (int | None): Credits the tier grants each month; null on an unlimited tier.
        is_unlimited (bool): Spends are recorded, never refused or charged.
        current_period_start (datetime.datetime): When the current billing period (or month on the default tier) began.
        current_period_end (datetime.datetime): When it ends: the next renewal.
        cancel_at_period_end (bool): The subscription ends at `current_period_end`, back to the default tier.
        trial_end (datetime.datetime | None): When the free trial ends; null: no trial.
        restricted (bool): `past_due` beyond the grace period (or `unpaid`): the default tier's entitlements apply.
        grace_ends_at (datetime.datetime | None): When a `past_due` subscription's grace period ends; null: not past
            due.
        models (list[str]): The models the customer may use now.
        features (SubscriptionFeatures): Feature flags, on or off, as they apply now.
        pending_payment (None | PendingPayment | Unset): A subscription started in the app (POST .../subscription) still
            waiting for its first payment; null: none.
    """

    customer: str
    tier: str
    tier_name: str
    status: str
    subscription_id: None | str
    interval: None | str
    credits_remaining: int
    credits_per_month: int | None
    is_unlimited: bool
    current_period_start: datetime.datetime
    current_period_end: datetime.datetime
    cancel_at_period_end: bool
    trial_end: datetime.datetime | None
    restricted: bool
    grace_ends_at: datetime.datetime | None
    models: list[str]
    features: SubscriptionFeatures
    pending_payment: None | PendingPayment | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pending_payment import PendingPayment  # noqa: PLC0415

        customer = self.customer

        tier = self.tier

        tier_name = self.tier_name

        status = self.status

        subscription_id: None | str
        subscription_id = self.subscription_id

        interval: None | str
        interval = self.interval

        credits_remaining = self.credits_remaining

        credits_per_month: int | None
        credits_per_month = self.credits_per_month

        is_unlimited = self.is_unlimited

        current_period_start = self.current_period_start.isoformat()

        current_period_end = self.current_period_end.isoformat()

        cancel_at_period_end = self.cancel_at_period_end

        trial_end: None | str
        if isinstance(self.trial_end, datetime.datetime):
            trial_end = self.trial_end.isoformat()
        else:
            trial_end = self.trial_end

        restricted = self.restricted

        grace_ends_at: None | str
        if isinstance(self.grace_ends_at, datetime.datetime):
            grace_ends_at = self.grace_ends_at.isoformat()
        else:
            grace_ends_at = self.grace_ends_at

        models = self.models

        features = self.features.to_dict()

        pending_payment: dict[str, Any] | None | Unset
        if isinstance(self.pending_payment, Unset):
            pending_payment = UNSET
        elif isinstance(self.pending_payment, PendingPayment):
            pending_payment = self.pending_payment.to_dict()
        else:
            pending_payment = self.pending_payment

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "tier": tier,
                "tier_name": tier_name,
                "status": status,
                "subscription_id": subscription_id,
                "interval": interval,
                "credits_remaining": credits_remaining,
                "credits_per_month": credits_per_month,
                "is_unlimited": is_unlimited,
                "current_period_start": current_period_start,
                "current_period_end": current_period_end,
                "cancel_at_period_end": cancel_at_period_end,
                "trial_end": trial_end,
                "restricted": restricted,
                "grace_ends_at": grace_ends_at,
                "models": models,
                "features": features,
            }
        )
        if pending_payment is not UNSET:
            field_dict["pending_payment"] = pending_payment

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.pending_payment import PendingPayment  # noqa: PLC0415
        from ..models.subscription_features import SubscriptionFeatures  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        tier = d.pop("tier")

        tier_name = d.pop("tier_name")

        status = d.pop("status")

        def _parse_subscription_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        subscription_id = _parse_subscription_id(d.pop("subscription_id"))

        def _parse_interval(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        interval = _parse_interval(d.pop("interval"))

        credits_remaining = d.pop("credits_remaining")

        def _parse_credits_per_month(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_month = _parse_credits_per_month(d.pop("credits_per_month"))

        is_unlimited = d.pop("is_unlimited")

        current_period_start = datetime.datetime.fromisoformat(d.pop("current_period_start"))

        current_period_end = datetime.datetime.fromisoformat(d.pop("current_period_end"))

        cancel_at_period_end = d.pop("cancel_at_period_end")

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

        restricted = d.pop("restricted")

        def _parse_grace_ends_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                grace_ends_at_type_0 = datetime.datetime.fromisoformat(data)

                return grace_ends_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        grace_ends_at = _parse_grace_ends_at(d.pop("grace_ends_at"))

        models = cast(list[str], d.pop("models"))

        features = SubscriptionFeatures.from_dict(d.pop("features"))

        def _parse_pending_payment(data: object) -> None | PendingPayment | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pending_payment_type_0 = PendingPayment.from_dict(data)

                return pending_payment_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PendingPayment | Unset, data)

        pending_payment = _parse_pending_payment(d.pop("pending_payment", UNSET))

        subscription = cls(
            customer=customer,
            tier=tier,
            tier_name=tier_name,
            status=status,
            subscription_id=subscription_id,
            interval=interval,
            credits_remaining=credits_remaining,
            credits_per_month=credits_per_month,
            is_unlimited=is_unlimited,
            current_period_start=current_period_start,
            current_period_end=current_period_end,
            cancel_at_period_end=cancel_at_period_end,
            trial_end=trial_end,
            restricted=restricted,
            grace_ends_at=grace_ends_at,
            models=models,
            features=features,
            pending_payment=pending_payment,
        )

        subscription.additional_properties = d
        return subscription

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
