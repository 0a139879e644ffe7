from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.subscription_update_interval_type_1 import SubscriptionUpdateIntervalType1
from ..models.subscription_update_interval_type_2_type_1 import SubscriptionUpdateIntervalType2Type1
from ..models.subscription_update_interval_type_3_type_1 import SubscriptionUpdateIntervalType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="SubscriptionUpdate")


@_attrs_define
class SubscriptionUpdate:
    """A plan change (tier and/or interval, prorated by Stripe) or undoing a cancellation at period end.

    Attributes:
        tier (None | str | Unset): The tier to move to; null: the same tier.
        interval (None | SubscriptionUpdateIntervalType1 | SubscriptionUpdateIntervalType2Type1 |
            SubscriptionUpdateIntervalType3Type1 | Unset): The billing period to move to; null: the same one.
        cancel_at_period_end (bool | None | Unset): `true` cancels at the period end (as DELETE does), `false` undoes
            that; null: unchanged.
    """

    tier: None | str | Unset = UNSET
    interval: (
        None
        | SubscriptionUpdateIntervalType1
        | SubscriptionUpdateIntervalType2Type1
        | SubscriptionUpdateIntervalType3Type1
        | Unset
    ) = UNSET
    cancel_at_period_end: bool | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        tier: None | str | Unset
        if isinstance(self.tier, Unset):
            tier = UNSET
        else:
            tier = self.tier

        interval: None | str | Unset
        if isinstance(self.interval, Unset):
            interval = UNSET
        elif isinstance(self.interval, SubscriptionUpdateIntervalType1):
            interval = self.interval.value
        elif isinstance(self.interval, SubscriptionUpdateIntervalType2Type1):
            interval = self.interval.value
        elif isinstance(self.interval, SubscriptionUpdateIntervalType3Type1):
            interval = self.interval.value
        else:
            interval = self.interval

        cancel_at_period_end: bool | None | Unset
        if isinstance(self.cancel_at_period_end, Unset):
            cancel_at_period_end = UNSET
        else:
            cancel_at_period_end = self.cancel_at_period_end

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if tier is not UNSET:
            field_dict["tier"] = tier
        if interval is not UNSET:
            field_dict["interval"] = interval
        if cancel_at_period_end is not UNSET:
            field_dict["cancel_at_period_end"] = cancel_at_period_end

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_tier(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tier = _parse_tier(d.pop("tier", UNSET))

        def _parse_interval(
            data: object,
        ) -> (
            None
            | SubscriptionUpdateIntervalType1
            | SubscriptionUpdateIntervalType2Type1
            | SubscriptionUpdateIntervalType3Type1
            | Unset
        ):
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interval_type_1 = SubscriptionUpdateIntervalType1(data)

                return interval_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interval_type_2_type_1 = SubscriptionUpdateIntervalType2Type1(data)

                return interval_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                interval_type_3_type_1 = SubscriptionUpdateIntervalType3Type1(data)

                return interval_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | SubscriptionUpdateIntervalType1
                | SubscriptionUpdateIntervalType2Type1
                | SubscriptionUpdateIntervalType3Type1
                | Unset,
                data,
            )

        interval = _parse_interval(d.pop("interval", UNSET))

        def _parse_cancel_at_period_end(data: object) -> bool | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(bool | None | Unset, data)

        cancel_at_period_end = _parse_cancel_at_period_end(d.pop("cancel_at_period_end", UNSET))

        subscription_update = cls(
            tier=tier,
            interval=interval,
            cancel_at_period_end=cancel_at_period_end,
        )

        return subscription_update
