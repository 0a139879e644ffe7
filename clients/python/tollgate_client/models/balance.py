from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.grant_balance import GrantBalance
    from ..models.next_expiry import NextExpiry


T = TypeVar("T", bound="Balance")


@_attrs_define
class Balance:
    """A customer's credits: what can be spent now, what holds reserve, what is owed, and the grants behind it.

    Attributes:
        customer (str): The tenant app's customer id.
        balance (int): Spendable credits now: the grants' remaining credits less `held` and `debt`.
        held (int): Credits active holds reserve.
        debt (int): Credits owed after a clawback under `allow_negative`; spends are refused until repaid.
        unlimited (bool): The customer's plan is unlimited: spends are recorded, never refused or charged.
        unlimited_until (datetime.datetime | None): When the unlimited plan's period ends; null: not unlimited.
        grants (list[GrantBalance]): The grants with credits left, in consumption order.
        next_expiry (NextExpiry | None): The soonest credits to expire; null: none expire.
    """

    customer: str
    balance: int
    held: int
    debt: int
    unlimited: bool
    unlimited_until: datetime.datetime | None
    grants: list[GrantBalance]
    next_expiry: NextExpiry | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.next_expiry import NextExpiry  # noqa: PLC0415

        customer = self.customer

        balance = self.balance

        held = self.held

        debt = self.debt

        unlimited = self.unlimited

        unlimited_until: None | str
        if isinstance(self.unlimited_until, datetime.datetime):
            unlimited_until = self.unlimited_until.isoformat()
        else:
            unlimited_until = self.unlimited_until

        grants = []
        for grants_item_data in self.grants:
            grants_item = grants_item_data.to_dict()
            grants.append(grants_item)

        next_expiry: dict[str, Any] | None
        if isinstance(self.next_expiry, NextExpiry):
            next_expiry = self.next_expiry.to_dict()
        else:
            next_expiry = self.next_expiry

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "balance": balance,
                "held": held,
                "debt": debt,
                "unlimited": unlimited,
                "unlimited_until": unlimited_until,
                "grants": grants,
                "next_expiry": next_expiry,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.grant_balance import GrantBalance  # noqa: PLC0415
        from ..models.next_expiry import NextExpiry  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        balance = d.pop("balance")

        held = d.pop("held")

        debt = d.pop("debt")

        unlimited = d.pop("unlimited")

        def _parse_unlimited_until(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                unlimited_until_type_0 = datetime.datetime.fromisoformat(data)

                return unlimited_until_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        unlimited_until = _parse_unlimited_until(d.pop("unlimited_until"))

        grants = []
        _grants = d.pop("grants")
        for grants_item_data in _grants:
            grants_item = GrantBalance.from_dict(grants_item_data)

            grants.append(grants_item)

        def _parse_next_expiry(data: object) -> NextExpiry | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                next_expiry_type_0 = NextExpiry.from_dict(data)

                return next_expiry_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(NextExpiry | None, data)

        next_expiry = _parse_next_expiry(d.pop("next_expiry"))

        balance = cls(
            customer=customer,
            balance=balance,
            held=held,
            debt=debt,
            unlimited=unlimited,
            unlimited_until=unlimited_until,
            grants=grants,
            next_expiry=next_expiry,
        )

        balance.additional_properties = d
        return balance

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
