from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.entry_kind import EntryKind

if TYPE_CHECKING:
    from ..models.entry_metadata import EntryMetadata


T = TypeVar("T", bound="Entry")


@_attrs_define
class Entry:
    """One line of a customer's append-only credit history.

    Attributes:
        id (str): The entry's id.
        seq (int): Its place in the customer's history: 1, 2, 3, ...
        kind (EntryKind): What moved the credits: `grant` (+), `spend` (-), `hold` (-), `capture` (0), `release` (+),
            `expire` (-), `refund` (+), `clawback` (-), `adjust` (+/-).
        credits_ (int): Credits the entry moved: positive in, negative out.
        balance_after (int): Spendable credits right after the entry.
        requested (int | None): Credits the request asked for (spends, holds, captures, releases, clawbacks), also when
            `credits` is 0 (a capture, an unlimited plan); null on grants and expiries.
        reference (None | str): The hold or grant the entry belongs to (captures, releases, expiries); null: none.
        reason (None | str): The reason given when the credits moved; null: none given.
        metadata (EntryMetadata): The metadata given when the credits moved (string pairs).
        created_at (datetime.datetime): When the entry was written.
    """

    id: str
    seq: int
    kind: EntryKind
    credits_: int
    balance_after: int
    requested: int | None
    reference: None | str
    reason: None | str
    metadata: EntryMetadata
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        seq = self.seq

        kind = self.kind.value

        credits_ = self.credits_

        balance_after = self.balance_after

        requested: int | None
        requested = self.requested

        reference: None | str
        reference = self.reference

        reason: None | str
        reason = self.reason

        metadata = self.metadata.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "seq": seq,
                "kind": kind,
                "credits": credits_,
                "balance_after": balance_after,
                "requested": requested,
                "reference": reference,
                "reason": reason,
                "metadata": metadata,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.entry_metadata import EntryMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        seq = d.pop("seq")

        kind = EntryKind(d.pop("kind"))

        credits_ = d.pop("credits")

        balance_after = d.pop("balance_after")

        def _parse_requested(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        requested = _parse_requested(d.pop("requested"))

        def _parse_reference(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reference = _parse_reference(d.pop("reference"))

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        metadata = EntryMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        entry = cls(
            id=id,
            seq=seq,
            kind=kind,
            credits_=credits_,
            balance_after=balance_after,
            requested=requested,
            reference=reference,
            reason=reason,
            metadata=metadata,
            created_at=created_at,
        )

        entry.additional_properties = d
        return entry

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
