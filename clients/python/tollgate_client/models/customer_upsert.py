from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.customer_upsert_metadata import CustomerUpsertMetadata


T = TypeVar("T", bound="CustomerUpsert")


@_attrs_define
class CustomerUpsert:
    """The customer as the tenant app knows it: created on the first `PUT`, merged on the next ones.

    Attributes:
        email (None | str | Unset): Where Stripe sends receipts; null: left as it is.
        name (None | str | Unset): The name on invoices; null: left as it is.
        metadata (CustomerUpsertMetadata | Unset): Up to 50 string pairs (keys up to 40 characters, values up to 500),
            as on Stripe.
    """

    email: None | str | Unset = UNSET
    name: None | str | Unset = UNSET
    metadata: CustomerUpsertMetadata | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        email: None | str | Unset
        if isinstance(self.email, Unset):
            email = UNSET
        else:
            email = self.email

        name: None | str | Unset
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        metadata: dict[str, Any] | Unset = UNSET
        if not isinstance(self.metadata, Unset):
            metadata = self.metadata.to_dict()

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if email is not UNSET:
            field_dict["email"] = email
        if name is not UNSET:
            field_dict["name"] = name
        if metadata is not UNSET:
            field_dict["metadata"] = metadata

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.customer_upsert_metadata import CustomerUpsertMetadata  # noqa: PLC0415

        d = dict(src_dict)

        def _parse_email(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        email = _parse_email(d.pop("email", UNSET))

        def _parse_name(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        _metadata = d.pop("metadata", UNSET)
        metadata: CustomerUpsertMetadata | Unset
        if isinstance(_metadata, Unset):
            metadata = UNSET
        else:
            metadata = CustomerUpsertMetadata.from_dict(_metadata)

        customer_upsert = cls(
            email=email,
            name=name,
            metadata=metadata,
        )

        return customer_upsert
