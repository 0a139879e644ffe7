from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Ratio")


@_attrs_define
class Ratio:
    """An exact ratio of two counts, and the same in basis points (floored; null when nothing to divide by).

    Attributes:
        numerator (int): What is counted (the canceled, the delivered...).
        denominator (int): What it is counted out of; 0 when nothing was.
        basis_points (int | None): numerator x 10000 / denominator, floored.
    """

    numerator: int
    denominator: int
    basis_points: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        numerator = self.numerator

        denominator = self.denominator

        basis_points: int | None
        basis_points = self.basis_points

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "numerator": numerator,
                "denominator": denominator,
                "basis_points": basis_points,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        numerator = d.pop("numerator")

        denominator = d.pop("denominator")

        def _parse_basis_points(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        basis_points = _parse_basis_points(d.pop("basis_points"))

        ratio = cls(
            numerator=numerator,
            denominator=denominator,
            basis_points=basis_points,
        )

        ratio.additional_properties = d
        return ratio

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
