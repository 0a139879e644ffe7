from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.credits_series import CreditsSeries
    from ..models.metrics_revenue import MetricsRevenue
    from ..models.metrics_subscriptions import MetricsSubscriptions
    from ..models.operations_series import OperationsSeries


T = TypeVar("T", bound="Metrics")


@_attrs_define
class Metrics:
    """A tenant's metrics over a window, bucketed by day, ISO week or calendar month (UTC), per currency.

    Attributes:
        tenant (str): The tenant's slug.
        since (datetime.datetime): The window's start (included).
        until (datetime.datetime): The window's end (excluded).
        interval (str): day | week | month.
        currencies (list[str]): Every currency with a figure (or the one asked).
        subscriptions (MetricsSubscriptions): Subscription metrics per currency (no conversion).
        revenue (MetricsRevenue): Revenue per currency (no conversion).
        credits_ (CreditsSeries): Credits: a bucket per interval, the window's totals, and the money value of what is
            left unspent.
        operations (OperationsSeries): Operations: a bucket per interval, and the window's totals.
    """

    tenant: str
    since: datetime.datetime
    until: datetime.datetime
    interval: str
    currencies: list[str]
    subscriptions: MetricsSubscriptions
    revenue: MetricsRevenue
    credits_: CreditsSeries
    operations: OperationsSeries
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        tenant = self.tenant

        since = self.since.isoformat()

        until = self.until.isoformat()

        interval = self.interval

        currencies = self.currencies

        subscriptions = self.subscriptions.to_dict()

        revenue = self.revenue.to_dict()

        credits_ = self.credits_.to_dict()

        operations = self.operations.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "tenant": tenant,
                "since": since,
                "until": until,
                "interval": interval,
                "currencies": currencies,
                "subscriptions": subscriptions,
                "revenue": revenue,
                "credits": credits_,
                "operations": operations,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.credits_series import CreditsSeries  # noqa: PLC0415
        from ..models.metrics_revenue import MetricsRevenue  # noqa: PLC0415
        from ..models.metrics_subscriptions import MetricsSubscriptions  # noqa: PLC0415
        from ..models.operations_series import OperationsSeries  # noqa: PLC0415

        d = dict(src_dict)
        tenant = d.pop("tenant")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        interval = d.pop("interval")

        currencies = cast(list[str], d.pop("currencies"))

        subscriptions = MetricsSubscriptions.from_dict(d.pop("subscriptions"))

        revenue = MetricsRevenue.from_dict(d.pop("revenue"))

        credits_ = CreditsSeries.from_dict(d.pop("credits"))

        operations = OperationsSeries.from_dict(d.pop("operations"))

        metrics = cls(
            tenant=tenant,
            since=since,
            until=until,
            interval=interval,
            currencies=currencies,
            subscriptions=subscriptions,
            revenue=revenue,
            credits_=credits_,
            operations=operations,
        )

        metrics.additional_properties = d
        return metrics

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
