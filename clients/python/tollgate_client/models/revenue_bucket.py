from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.revenue_bucket_gross_by_stream import RevenueBucketGrossByStream


T = TypeVar("T", bound="RevenueBucket")


@_attrs_define
class RevenueBucket:
    """Money taken in one currency over one bucket (or the whole window), by when it moved.

    Attributes:
        start (datetime.datetime): The bucket's start (included), cut to the window.
        end (datetime.datetime): The bucket's end (excluded), cut to the window.
        gross (int): Payments received, every stream.
        gross_by_stream (RevenueBucketGrossByStream): Payments by stream: subscriptions, token_packages, payg.
        refunds (int): Refunds made in the bucket, whatever period they repay.
        disputes (int): Disputed money lost in the bucket.
        net (int): gross - refunds - disputes.
        orders (int): Payments received (a paid invoice, order or purchase each).
        average_order_value (int | None): gross / orders, floored.
        paying_customers (int): Distinct customers with a payment.
        arpu (int | None): net / paying customers, floored.
    """

    start: datetime.datetime
    end: datetime.datetime
    gross: int
    gross_by_stream: RevenueBucketGrossByStream
    refunds: int
    disputes: int
    net: int
    orders: int
    average_order_value: int | None
    paying_customers: int
    arpu: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        start = self.start.isoformat()

        end = self.end.isoformat()

        gross = self.gross

        gross_by_stream = self.gross_by_stream.to_dict()

        refunds = self.refunds

        disputes = self.disputes

        net = self.net

        orders = self.orders

        average_order_value: int | None
        average_order_value = self.average_order_value

        paying_customers = self.paying_customers

        arpu: int | None
        arpu = self.arpu

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "start": start,
                "end": end,
                "gross": gross,
                "gross_by_stream": gross_by_stream,
                "refunds": refunds,
                "disputes": disputes,
                "net": net,
                "orders": orders,
                "average_order_value": average_order_value,
                "paying_customers": paying_customers,
                "arpu": arpu,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.revenue_bucket_gross_by_stream import RevenueBucketGrossByStream  # noqa: PLC0415

        d = dict(src_dict)
        start = datetime.datetime.fromisoformat(d.pop("start"))

        end = datetime.datetime.fromisoformat(d.pop("end"))

        gross = d.pop("gross")

        gross_by_stream = RevenueBucketGrossByStream.from_dict(d.pop("gross_by_stream"))

        refunds = d.pop("refunds")

        disputes = d.pop("disputes")

        net = d.pop("net")

        orders = d.pop("orders")

        def _parse_average_order_value(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        average_order_value = _parse_average_order_value(d.pop("average_order_value"))

        paying_customers = d.pop("paying_customers")

        def _parse_arpu(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        arpu = _parse_arpu(d.pop("arpu"))

        revenue_bucket = cls(
            start=start,
            end=end,
            gross=gross,
            gross_by_stream=gross_by_stream,
            refunds=refunds,
            disputes=disputes,
            net=net,
            orders=orders,
            average_order_value=average_order_value,
            paying_customers=paying_customers,
            arpu=arpu,
        )

        revenue_bucket.additional_properties = d
        return revenue_bucket

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
