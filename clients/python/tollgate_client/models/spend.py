from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.allocation import Allocation
    from ..models.spend_metadata import SpendMetadata


T = TypeVar("T", bound="Spend")


@_attrs_define
class Spend:
    """A spend done (or replayed for the same `Idempotency-Key`): what it took and the balance after it.

    Attributes:
        entry_id (str): The ledger entry that records the spend.
        customer (str): The tenant app's customer id.
        credits_ (int): Credits asked for.
        charged (int): Credits taken from the balance: `credits`, or 0 on an unlimited plan (usage is still recorded).
        balance (int): Spendable credits after the spend.
        unlimited (bool): The customer's plan is unlimited: nothing was taken.
        allocations (list[Allocation]): The grants the credits came from, in consumption order; empty when unlimited.
        reason (None | str): The reason given when the credits moved; null: none given.
        metadata (SpendMetadata): The metadata given when the credits moved (string pairs).
        created_at (datetime.datetime): When the spend was recorded.
    """

    entry_id: str
    customer: str
    credits_: int
    charged: int
    balance: int
    unlimited: bool
    allocations: list[Allocation]
    reason: None | str
    metadata: SpendMetadata
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        entry_id = self.entry_id

        customer = self.customer

        credits_ = self.credits_

        charged = self.charged

        balance = self.balance

        unlimited = self.unlimited

        allocations = []
        for allocations_item_data in self.allocations:
            allocations_item = allocations_item_data.to_dict()
            allocations.append(allocations_item)

        reason: None | str
        reason = self.reason

        metadata = self.metadata.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "entry_id": entry_id,
                "customer": customer,
                "credits": credits_,
                "charged": charged,
                "balance": balance,
                "unlimited": unlimited,
                "allocations": allocations,
                "reason": reason,
                "metadata": metadata,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.allocation import Allocation  # noqa: PLC0415
        from ..models.spend_metadata import SpendMetadata  # noqa: PLC0415

        d = dict(src_dict)
        entry_id = d.pop("entry_id")

        customer = d.pop("customer")

        credits_ = d.pop("credits")

        charged = d.pop("charged")

        balance = d.pop("balance")

        unlimited = d.pop("unlimited")

        allocations = []
        _allocations = d.pop("allocations")
        for allocations_item_data in _allocations:
            allocations_item = Allocation.from_dict(allocations_item_data)

            allocations.append(allocations_item)

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        metadata = SpendMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        spend = cls(
            entry_id=entry_id,
            customer=customer,
            credits_=credits_,
            charged=charged,
            balance=balance,
            unlimited=unlimited,
            allocations=allocations,
            reason=reason,
            metadata=metadata,
            created_at=created_at,
        )

        spend.additional_properties = d
        return spend

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
