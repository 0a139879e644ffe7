from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.customer_erasure_stripe_customer_deletion import CustomerErasureStripeCustomerDeletion

if TYPE_CHECKING:
    from ..models.customer_erasure_rows import CustomerErasureRows
    from ..models.customer_erasure_settled import CustomerErasureSettled


T = TypeVar("T", bound="CustomerErasure")


@_attrs_define
class CustomerErasure:
    """What an erasure did; a repeated DELETE of the same customer id answers the same.

    Attributes:
        customer (str): The pseudonym that replaced the app's customer id in every table.
        erased_at (datetime.datetime): When the customer was erased.
        rows (CustomerErasureRows): Rows rewritten (or deleted: stored answers) per table.
        settled (CustomerErasureSettled): What each plugin ended first, by plugin (the subscriptions canceled).
        stripe_customer_deletion (CustomerErasureStripeCustomerDeletion): `requested`: the Stripe customer is deleted on
            the tenant's account once the erasure is committed (Stripe keeps its own legal records); `none`: the customer
            had none.
    """

    customer: str
    erased_at: datetime.datetime
    rows: CustomerErasureRows
    settled: CustomerErasureSettled
    stripe_customer_deletion: CustomerErasureStripeCustomerDeletion
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        customer = self.customer

        erased_at = self.erased_at.isoformat()

        rows = self.rows.to_dict()

        settled = self.settled.to_dict()

        stripe_customer_deletion = self.stripe_customer_deletion.value

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "customer": customer,
                "erased_at": erased_at,
                "rows": rows,
                "settled": settled,
                "stripe_customer_deletion": stripe_customer_deletion,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_erasure_rows import CustomerErasureRows  # noqa: PLC0415
        from ..models.customer_erasure_settled import CustomerErasureSettled  # noqa: PLC0415

        d = dict(src_dict)
        customer = d.pop("customer")

        erased_at = datetime.datetime.fromisoformat(d.pop("erased_at"))

        rows = CustomerErasureRows.from_dict(d.pop("rows"))

        settled = CustomerErasureSettled.from_dict(d.pop("settled"))

        stripe_customer_deletion = CustomerErasureStripeCustomerDeletion(d.pop("stripe_customer_deletion"))

        customer_erasure = cls(
            customer=customer,
            erased_at=erased_at,
            rows=rows,
            settled=settled,
            stripe_customer_deletion=stripe_customer_deletion,
        )

        customer_erasure.additional_properties = d
        return customer_erasure

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
