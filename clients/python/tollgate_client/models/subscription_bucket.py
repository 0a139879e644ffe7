from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.mrr_movements import MrrMovements
    from ..models.ratio import Ratio
    from ..models.subscription_bucket_subscribers_by_tier import SubscriptionBucketSubscribersByTier


T = TypeVar("T", bound="SubscriptionBucket")


@_attrs_define
class SubscriptionBucket:
    """Subscriptions in one currency over one bucket (or, as `totals`, the whole window).

    Attributes:
        start (datetime.datetime): The bucket's start (included), cut to the window.
        end (datetime.datetime): The bucket's end (excluded), cut to the window.
        mrr (int): MRR of `active` subscriptions at the end (ARR / 12, floored).
        arr (int): Annual run rate of `active` subscriptions at the end (exact).
        past_due_mrr (int): MRR of `past_due` subscriptions at the end.
        movements (MrrMovements): What moved MRR (active and past-due together) within a bucket, in minor units per
            month.
        active (int): Subscriptions bringing revenue (active or past due) at the end.
        new (int): Subscriptions starting to bring revenue (not after a churn).
        reactivated (int): Subscriptions of returning customers.
        canceled (int): Subscriptions that stopped bringing revenue (churned).
        churn_rate (Ratio): An exact ratio of two counts, and the same in basis points (floored; null when nothing to
            divide by).
        subscribers_by_tier (SubscriptionBucketSubscribersByTier): Subscriptions bringing revenue at the end, by tier.
    """

    start: datetime.datetime
    end: datetime.datetime
    mrr: int
    arr: int
    past_due_mrr: int
    movements: MrrMovements
    active: int
    new: int
    reactivated: int
    canceled: int
    churn_rate: Ratio
    subscribers_by_tier: SubscriptionBucketSubscribersByTier
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        mrr = self.mrr

        arr = self.arr

        past_due_mrr = self.past_due_mrr

        movements = self.movements.to_dict()

        active = self.active

        new = self.new

        reactivated = self.reactivated

        canceled = self.canceled

        churn_rate = self.churn_rate.to_dict()

        subscribers_by_tier = self.subscribers_by_tier.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "mrr": mrr,
                "arr": arr,
                "past_due_mrr": past_due_mrr,
                "movements": movements,
                "active": active,
                "new": new,
                "reactivated": reactivated,
                "canceled": canceled,
                "churn_rate": churn_rate,
                "subscribers_by_tier": subscribers_by_tier,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mrr_movements import MrrMovements  # noqa: PLC0415
        from ..models.ratio import Ratio  # noqa: PLC0415
        from ..models.subscription_bucket_subscribers_by_tier import SubscriptionBucketSubscribersByTier  # noqa: PLC0415

        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        mrr = d.pop("mrr")

        arr = d.pop("arr")

        past_due_mrr = d.pop("past_due_mrr")

        movements = MrrMovements.from_dict(d.pop("movements"))

        active = d.pop("active")

        new = d.pop("new")

        reactivated = d.pop("reactivated")

        canceled = d.pop("canceled")

        churn_rate = Ratio.from_dict(d.pop("churn_rate"))

        subscribers_by_tier = SubscriptionBucketSubscribersByTier.from_dict(d.pop("subscribers_by_tier"))

        subscription_bucket = cls(
            start=start,
            end=end,
            mrr=mrr,
            arr=arr,
            past_due_mrr=past_due_mrr,
            movements=movements,
            active=active,
            new=new,
            reactivated=reactivated,
            canceled=canceled,
            churn_rate=churn_rate,
            subscribers_by_tier=subscribers_by_tier,
        )

        subscription_bucket.additional_properties = d
        return subscription_bucket

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
