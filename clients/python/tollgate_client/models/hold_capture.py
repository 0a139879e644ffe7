from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="HoldCapture")


@_attrs_define
class HoldCapture:
    """Capture all of the hold (no `credits`) or part of it; the rest is released.

    Attributes:
        credits_ (int | None | Unset): Credits to consume, at most the hold's; null: all of them.
    """

    credits_: int | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credits_: int | None | Unset
        if isinstance(self.credits_, Unset):
            credits_ = UNSET
        else:
            credits_ = self.credits_

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if credits_ is not UNSET:
            field_dict["credits"] = credits_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_credits_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_ = _parse_credits_(d.pop("credits", UNSET))

        hold_capture = cls(
            credits_=credits_,
        )

        return hold_capture
