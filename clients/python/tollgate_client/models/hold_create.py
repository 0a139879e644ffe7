from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.hold_create_metadata import HoldCreateMetadata


T = TypeVar("T", bound="HoldCreate")


@_attrs_define
class HoldCreate:
    """Credits to reserve before work whose cost is known only after it: captured or released later.

    Attributes:
        credits_ (int): Credits to reserve; they leave the balance now and are consumed at capture.
        ttl_seconds (int | None | Unset): Seconds until the hold releases itself; null: the tenant's
            `ledger.hold_ttl_seconds` (900).
        reason (None | str | Unset): Why, in the tenant app's words; shown in the ledger. Null: none given.
        metadata (HoldCreateMetadata | Unset): Up to 50 string pairs (keys up to 40 characters, values up to 500), as on
            Stripe.
    """

    credits_: int
    ttl_seconds: int | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    metadata: HoldCreateMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        ttl_seconds: int | None | Unset
        if isinstance(self.ttl_seconds, Unset):
            ttl_seconds = UNSET
        else:
            ttl_seconds = self.ttl_seconds

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
        if ttl_seconds is not UNSET:
            field_dict["ttl_seconds"] = ttl_seconds
        if reason is not UNSET:
            field_dict["reason"] = reason
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.hold_create_metadata import HoldCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        credits_ = d.pop("credits")

        def _parse_ttl_seconds(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        ttl_seconds = _parse_ttl_seconds(d.pop("ttl_seconds", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: HoldCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = HoldCreateMetadata.from_dict(_metadata)

        hold_create = cls(
            credits_=credits_,
            ttl_seconds=ttl_seconds,
            reason=reason,
            metadata=metadata,
        )

        return hold_create
