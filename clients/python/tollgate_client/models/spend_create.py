from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.spend_create_metadata import SpendCreateMetadata


T = TypeVar("T", bound="SpendCreate")


@_attrs_define
class SpendCreate:
    """Credits to take from the customer's balance now, in consumption order; refused whole (402) when short.

    Attributes:
        credits_ (int): Credits to spend, a positive integer.
        reason (None | str | Unset): Why, in the tenant app's words; shown in the ledger. Null: none given.
        metadata (SpendCreateMetadata | Unset): Up to 50 string pairs (keys up to 40 characters, values up to 500), as
            on Stripe.
    """

    credits_: int
    reason: None | str | Unset = UNSET
    metadata: SpendCreateMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "credits": credits_,
            }
        )
        if reason is not UNSET:
            field_dict["reason"] = reason
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.spend_create_metadata import SpendCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        credits_ = d.pop("credits")

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: SpendCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = SpendCreateMetadata.from_dict(_metadata)

        spend_create = cls(
            credits_=credits_,
            reason=reason,
            metadata=metadata,
        )

        return spend_create
