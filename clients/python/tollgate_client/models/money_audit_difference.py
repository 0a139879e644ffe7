from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.money_audit_difference_kind import MoneyAuditDifferenceKind
from ..models.money_audit_difference_status import MoneyAuditDifferenceStatus

T = TypeVar("T", bound="MoneyAuditDifference")


@_attrs_define
class MoneyAuditDifference:
    """One difference between the tenant's Stripe account and Tollgate's records.

    Attributes:
        kind (MoneyAuditDifferenceKind): `paid_not_granted`, `granted_without_payment`, `refund_not_clawed_back`,
            `dispute_not_held`, `amount_mismatch`, `credits_mismatch` (against the record or the tenant's configuration) or
            `unclaimed` (made by a plugin no longer enabled).
        status (MoneyAuditDifferenceStatus): `open`: for a person to look at; `repaired`: the missing event was applied.
        plugin (str): The plugin that owns the Stripe object; `core`: nobody.
        stripe_object (str): The Stripe object's id, or `<source>:<ref>` of a grant without a payment.
        customer (None | str): The tenant app's customer, when known.
        description (str): What differs, in words.
        expected (None | str): What Stripe or the configuration says.
        found (None | str): What Tollgate's records hold.
        repair_note (None | str): What a repair did, or why it could not.
        stripe_event_id (None | str): The Stripe event a repair stored or found in the inbox.
    """

    kind: MoneyAuditDifferenceKind
    status: MoneyAuditDifferenceStatus
    plugin: str
    stripe_object: str
    customer: None | str
    description: str
    expected: None | str
    found: None | str
    repair_note: None | str
    stripe_event_id: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        kind = self.kind.value

        status = self.status.value

        plugin = self.plugin

        stripe_object = self.stripe_object

        customer: None | str
        customer = self.customer

        description = self.description

        expected: None | str
        expected = self.expected

        found: None | str
        found = self.found

        repair_note: None | str
        repair_note = self.repair_note

        stripe_event_id: None | str
        stripe_event_id = self.stripe_event_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "kind": kind,
                "status": status,
                "plugin": plugin,
                "stripe_object": stripe_object,
                "customer": customer,
                "description": description,
                "expected": expected,
                "found": found,
                "repair_note": repair_note,
                "stripe_event_id": stripe_event_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        kind = MoneyAuditDifferenceKind(d.pop("kind"))

        status = MoneyAuditDifferenceStatus(d.pop("status"))

        plugin = d.pop("plugin")

        stripe_object = d.pop("stripe_object")

        def _parse_customer(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        customer = _parse_customer(d.pop("customer"))

        description = d.pop("description")

        def _parse_expected(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        expected = _parse_expected(d.pop("expected"))

        def _parse_found(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        found = _parse_found(d.pop("found"))

        def _parse_repair_note(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        repair_note = _parse_repair_note(d.pop("repair_note"))

        def _parse_stripe_event_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_event_id = _parse_stripe_event_id(d.pop("stripe_event_id"))

        money_audit_difference = cls(
            kind=kind,
            status=status,
            plugin=plugin,
            stripe_object=stripe_object,
            customer=customer,
            description=description,
            expected=expected,
            found=found,
            repair_note=repair_note,
            stripe_event_id=stripe_event_id,
        )

        money_audit_difference.additional_properties = d
        return money_audit_difference

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
