from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.receipt_status_type_1 import ReceiptStatusType1
from ..models.receipt_status_type_2_type_1 import ReceiptStatusType2Type1
from ..models.receipt_status_type_3_type_1 import ReceiptStatusType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="Receipt")


@_attrs_define
class Receipt:
    """What Stripe gets back: stored (or already stored), not yet processed.

    Attributes:
        received (bool): The event is stored.
        duplicate (bool): It had been stored before (Stripe sent it again).
        id (None | str | Unset): The stored event's id; null when not stored.
        status (None | ReceiptStatusType1 | ReceiptStatusType2Type1 | ReceiptStatusType3Type1 | Unset): Its status now;
            null when not stored.
    """

    received: bool
    duplicate: bool
    id: None | str | Unset = UNSET
    status: None | ReceiptStatusType1 | ReceiptStatusType2Type1 | ReceiptStatusType3Type1 | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        received = self.received

        duplicate = self.duplicate

        id: None | str | Unset
        if isinstance(self.id, Unset):
            id = UNSET
        else:
            id = self.id

        status: None | str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, ReceiptStatusType1):
            status = self.status.value
        elif isinstance(self.status, ReceiptStatusType2Type1):
            status = self.status.value
        elif isinstance(self.status, ReceiptStatusType3Type1):
            status = self.status.value
        else:
            status = self.status

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "received": received,
                "duplicate": duplicate,
            }
        )
        if id is not UNSET:
            field_dict["id"] = id
        if status is not UNSET:
            field_dict["status"] = status

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        received = d.pop("received")

        duplicate = d.pop("duplicate")

        def _parse_id(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        id = _parse_id(d.pop("id", UNSET))

        def _parse_status(
            data: object,
        ) -> None | ReceiptStatusType1 | ReceiptStatusType2Type1 | ReceiptStatusType3Type1 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_1 = ReceiptStatusType1(data)

                return status_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_2_type_1 = ReceiptStatusType2Type1(data)

                return status_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_3_type_1 = ReceiptStatusType3Type1(data)

                return status_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | ReceiptStatusType1 | ReceiptStatusType2Type1 | ReceiptStatusType3Type1 | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        receipt = cls(
            received=received,
            duplicate=duplicate,
            id=id,
            status=status,
        )

        receipt.additional_properties = d
        return receipt

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
