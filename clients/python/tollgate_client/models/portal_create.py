from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="PortalCreate")


@_attrs_define
class PortalCreate:
    """A Stripe customer portal session, where the customer manages cards and invoices.

    Attributes:
        return_url (str): Where the portal's back link goes.
    """

    return_url: str

    def to_dict(self) -> dict[str, Any]:
        return_url = self.return_url

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "return_url": return_url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        return_url = d.pop("return_url")

        portal_create = cls(
            return_url=return_url,
        )

        return portal_create
