from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="SetupIntent")


@_attrs_define
class SetupIntent:
    """A Stripe SetupIntent the app's payment form (Stripe Elements) confirms to save a card.

    Attributes:
        id (str): The Stripe SetupIntent (`seti_...`).
        client_secret (str): What Stripe.js `confirmSetup`/`confirmCardSetup` takes in the browser.
        status (str): Stripe's status: `requires_payment_method` until the form sends a card, `requires_action` during
            3-D Secure, then `succeeded` (the card is saved on the customer).
        customer (str): The tenant app's customer id.
    """

    id: str
    client_secret: str
    status: str
    customer: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        client_secret = self.client_secret

        status = self.status

        customer = self.customer

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "client_secret": client_secret,
                "status": status,
                "customer": customer,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        client_secret = d.pop("client_secret")

        status = d.pop("status")

        customer = d.pop("customer")

        setup_intent = cls(
            id=id,
            client_secret=client_secret,
            status=status,
            customer=customer,
        )

        setup_intent.additional_properties = d
        return setup_intent

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
