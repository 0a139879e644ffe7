from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Clawback")


@_attrs_define
class Clawback:
    """What a clawback took back, and from where.

    Attributes:
        customer (str): The tenant app's customer id.
        source (str): The grant's source.
        source_ref (str): The grant's reference within its source.
        requested (int): Credits asked back.
        clawed_back (int): Credits taken back; below `requested` when the balance ran out (`down_to_zero`).
        from_grant (int): Credits taken from what the grant still had.
        from_balance (int): Credits taken from the customer's other grants, for what was spent of this one.
        debt (int): Credits the customer now owes (`allow_negative`): repaid first by the next grants.
        balance (int): Spendable credits after the clawback; negative while there is debt.
    """

    customer: str
    source: str
    source_ref: str
    requested: int
    clawed_back: int
    from_grant: int
    from_balance: int
    debt: int
    balance: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        source = self.source

        source_ref = self.source_ref

        requested = self.requested

        clawed_back = self.clawed_back

        from_grant = self.from_grant

        from_balance = self.from_balance

        debt = self.debt

        balance = self.balance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "source": source,
                "source_ref": source_ref,
                "requested": requested,
                "clawed_back": clawed_back,
                "from_grant": from_grant,
                "from_balance": from_balance,
                "debt": debt,
                "balance": balance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        customer = d.pop("customer")

        source = d.pop("source")

        source_ref = d.pop("source_ref")

        requested = d.pop("requested")

        clawed_back = d.pop("clawed_back")

        from_grant = d.pop("from_grant")

        from_balance = d.pop("from_balance")

        debt = d.pop("debt")

        balance = d.pop("balance")

        clawback = cls(
            customer=customer,
            source=source,
            source_ref=source_ref,
            requested=requested,
            clawed_back=clawed_back,
            from_grant=from_grant,
            from_balance=from_balance,
            debt=debt,
            balance=balance,
        )

        clawback.additional_properties = d
        return clawback

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
