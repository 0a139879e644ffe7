from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.hold_status import HoldStatus

if TYPE_CHECKING:
    from ..models.hold_metadata import HoldMetadata


T = TypeVar("T", bound="Hold")


@_attrs_define
class Hold:
    """Credits reserved until captured (consumed), released (given back) or expired (released by itself).

    Attributes:
        id (str): The hold's id, for its capture or release.
        customer (str): The tenant app's customer id.
        credits_ (int): Credits reserved.
        captured (int): Credits consumed by the capture; 0 until captured.
        status (HoldStatus): `active` until captured, released or expired.
        unlimited (bool): The customer's plan is unlimited: nothing was reserved.
        expires_at (datetime.datetime): When an active hold releases itself.
        balance (int): Spendable credits after this operation.
        reason (None | str): The reason given when the credits moved; null: none given.
        metadata (HoldMetadata): The metadata given when the credits moved (string pairs).
        created_at (datetime.datetime): When the hold was taken.
    """

    id: str
    customer: str
    credits_: int
    captured: int
    status: HoldStatus
    unlimited: bool
    expires_at: datetime.datetime
    balance: int
    reason: None | str
    metadata: HoldMetadata
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        credits_ = self.credits_

        captured = self.captured

        status = self.status.value

        unlimited = self.unlimited

        expires_at = self.expires_at.isoformat()

        balance = self.balance

        reason: None | str
        reason = self.reason

        metadata = self.metadata.to_dict()

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "customer": customer,
                "credits": credits_,
                "captured": captured,
                "status": status,
                "unlimited": unlimited,
                "expires_at": expires_at,
                "balance": balance,
                "reason": reason,
                "metadata": metadata,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.hold_metadata import HoldMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        credits_ = d.pop("credits")

        captured = d.pop("captured")

        status = HoldStatus(d.pop("status"))

        unlimited = d.pop("unlimited")

        expires_at = datetime.datetime.fromisoformat(d.pop("expires_at"))

        balance = d.pop("balance")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        metadata = HoldMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        hold = cls(
            id=id,
            customer=customer,
            credits_=credits_,
            captured=captured,
            status=status,
            unlimited=unlimited,
            expires_at=expires_at,
            balance=balance,
            reason=reason,
            metadata=metadata,
            created_at=created_at,
        )

        hold.additional_properties = d
        return hold

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
