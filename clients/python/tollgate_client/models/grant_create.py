from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.grant_create_metadata import GrantCreateMetadata


T = TypeVar("T", bound="GrantCreate")


@_attrs_define
class GrantCreate:
    """Credits an operator gives a customer (source `admin`): a welcome bonus, a goodwill credit.

    Attributes:
        credits_ (int): Credits to give.
        priority (int | Unset): Consumption order: 0 is spent first, 100 last; then the earliest to expire. Default: 50.
        expires_at (datetime.datetime | None | Unset): When the credits left unspent expire (RFC 3339); null: never.
        reference (None | str | Unset): Idempotency: a second grant with this reference returns the first one; null: the
            `Idempotency-Key` header, else none.
        reason (None | str | Unset): Why, in the operator's words; shown in the ledger. Null: none given.
        metadata (GrantCreateMetadata | Unset): Up to 50 string pairs (keys up to 40 characters, values up to 500), as
            on Stripe.
    """

    credits_: int
    priority: int | Unset = 50
    expires_at: datetime.datetime | None | Unset = UNSET
    reference: None | str | Unset = UNSET
    reason: None | str | Unset = UNSET
    metadata: GrantCreateMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        credits_ = self.credits_

        priority = self.priority

        expires_at: None | str | Unset
        if isinstance(self.expires_at, Unset):
            expires_at = UNSET
        elif isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        reference: None | str | Unset
        if isinstance(self.reference, Unset):
            reference = UNSET
        else:
            reference = self.reference

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
        if priority is not UNSET:
            field_dict["priority"] = priority
        if expires_at is not UNSET:
            field_dict["expires_at"] = expires_at
        if reference is not UNSET:
            field_dict["reference"] = reference
        if reason is not UNSET:
            field_dict["reason"] = reason
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.grant_create_metadata import GrantCreateMetadata  # noqa: PLC0415

        d = dict(src_dict)
        credits_ = d.pop("credits")

        priority = d.pop("priority", UNSET)

        def _parse_expires_at(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        expires_at = _parse_expires_at(d.pop("expires_at", UNSET))

        def _parse_reference(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reference = _parse_reference(d.pop("reference", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: GrantCreateMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = GrantCreateMetadata.from_dict(_metadata)

        grant_create = cls(
            credits_=credits_,
            priority=priority,
            expires_at=expires_at,
            reference=reference,
            reason=reason,
            metadata=metadata,
        )

        return grant_create
