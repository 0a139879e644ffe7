from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.customer_metadata import CustomerMetadata


T = TypeVar("T", bound="Customer")


@_attrs_define
class Customer:
    """A tenant app's customer, and the Stripe customer Tollgate keeps for it.

    Attributes:
        id (str): The tenant app's customer id.
        email (None | str): The customer's email; null: none given.
        name (None | str): The customer's name; null: none given.
        metadata (CustomerMetadata): The tenant app's string pairs, as given.
        stripe_customer_id (None | str): The Stripe customer (`cus_...`) in the tenant's account; null until a first
            payment needs one.
        created_at (datetime.datetime): When Tollgate first saw the customer.
    """

    id: str
    email: None | str
    name: None | str
    metadata: CustomerMetadata
    stripe_customer_id: None | str
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        email: None | str
        email = self.email

        name: None | str
        name = self.name

        metadata = self.metadata.to_dict()

        stripe_customer_id: None | str
        stripe_customer_id = self.stripe_customer_id

        created_at = self.created_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "email": email,
                "name": name,
                "metadata": metadata,
                "stripe_customer_id": stripe_customer_id,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_metadata import CustomerMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        def _parse_email(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        email = _parse_email(d.pop("email"))

        def _parse_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        name = _parse_name(d.pop("name"))

        metadata = CustomerMetadata.from_dict(d.pop("metadata"))

        def _parse_stripe_customer_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        stripe_customer_id = _parse_stripe_customer_id(d.pop("stripe_customer_id"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        customer = cls(
            id=id,
            email=email,
            name=name,
            metadata=metadata,
            stripe_customer_id=stripe_customer_id,
            created_at=created_at,
        )

        customer.additional_properties = d
        return customer

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
