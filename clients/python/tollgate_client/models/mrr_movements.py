from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MrrMovements")


@_attrs_define
class MrrMovements:
    """What moved MRR (active and past-due together) within a bucket, in minor units per month.

    Attributes:
        new (int): From subscriptions starting to bring revenue.
        expansion (int): From upgrades, more seats, shorter-to-dearer plans.
        contraction (int): Lost to downgrades (positive number).
        churn (int): Lost to subscriptions that stopped bringing revenue (positive).
        reactivation (int): From customers coming back after a churn.
        net (int): new + expansion + reactivation - contraction - churn.
    """

    new: int
    expansion: int
    contraction: int
    churn: int
    reactivation: int
    net: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        new = self.new

        expansion = self.expansion

        contraction = self.contraction

        churn = self.churn

        reactivation = self.reactivation

        net = self.net

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "new": new,
                "expansion": expansion,
                "contraction": contraction,
                "churn": churn,
                "reactivation": reactivation,
                "net": net,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        new = d.pop("new")

        expansion = d.pop("expansion")

        contraction = d.pop("contraction")

        churn = d.pop("churn")

        reactivation = d.pop("reactivation")

        net = d.pop("net")

        mrr_movements = cls(
            new=new,
            expansion=expansion,
            contraction=contraction,
            churn=churn,
            reactivation=reactivation,
            net=net,
        )

        mrr_movements.additional_properties = d
        return mrr_movements

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
