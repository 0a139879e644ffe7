from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.grant_metadata import GrantMetadata


T = TypeVar("T", bound="Grant")


@_attrs_define
class Grant:
    """Credits from one source (a payment, a plan period, an operator), spent in consumption order.

    Attributes:
        id (str): The grant's id.
        customer (str): The tenant app's customer id.
        credits_ (int): Credits the grant gave.
        remaining (int): Credits not yet consumed, expired or taken back (some may be reserved by holds).
        reserved (int): Credits of `remaining` that active holds reserve.
        consumed (int): Credits spent or captured from this grant.
        expired (int): Credits that expired unspent.
        clawed_back (int): Credits taken back (refunds, disputes, clawbacks) or used to repay debt.
        priority (int): Consumption order: 0 is spent first, 100 last.
        expires_at (datetime.datetime | None): When what is left expires; null: never.
        source (str): Where the credits came from: `admin`, `payg`, `token_packages`, `subscriptions`, ...
        source_ref (str): The grant's reference within its source; with `source`, unique per tenant.
        reason (None | str): The reason given with the grant; null: none given.
        metadata (GrantMetadata): The metadata given with the grant (string pairs).
        created_at (datetime.datetime): When the grant was made.
    """

    id: str
    customer: str
    credits_: int
    remaining: int
    reserved: int
    consumed: int
    expired: int
    clawed_back: int
    priority: int
    expires_at: datetime.datetime | None
    source: str
    source_ref: str
    reason: None | str
    metadata: GrantMetadata
    created_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        customer = self.customer

        credits_ = self.credits_

        remaining = self.remaining

        reserved = self.reserved

        consumed = self.consumed

        expired = self.expired

        clawed_back = self.clawed_back

        priority = self.priority

        expires_at: None | str
        if isinstance(self.expires_at, datetime.datetime):
            expires_at = self.expires_at.isoformat()
        else:
            expires_at = self.expires_at

        source = self.source

        source_ref = self.source_ref

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
                "remaining": remaining,
                "reserved": reserved,
                "consumed": consumed,
                "expired": expired,
                "clawed_back": clawed_back,
                "priority": priority,
                "expires_at": expires_at,
                "source": source,
                "source_ref": source_ref,
                "reason": reason,
                "metadata": metadata,
                "created_at": created_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.grant_metadata import GrantMetadata  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        customer = d.pop("customer")

        credits_ = d.pop("credits")

        remaining = d.pop("remaining")

        reserved = d.pop("reserved")

        consumed = d.pop("consumed")

        expired = d.pop("expired")

        clawed_back = d.pop("clawed_back")

        priority = d.pop("priority")

        def _parse_expires_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                expires_at_type_0 = datetime.datetime.fromisoformat(data)

                return expires_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        expires_at = _parse_expires_at(d.pop("expires_at"))

        source = d.pop("source")

        source_ref = d.pop("source_ref")

        def _parse_reason(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        reason = _parse_reason(d.pop("reason"))

        metadata = GrantMetadata.from_dict(d.pop("metadata"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        grant = cls(
            id=id,
            customer=customer,
            credits_=credits_,
            remaining=remaining,
            reserved=reserved,
            consumed=consumed,
            expired=expired,
            clawed_back=clawed_back,
            priority=priority,
            expires_at=expires_at,
            source=source,
            source_ref=source_ref,
            reason=reason,
            metadata=metadata,
            created_at=created_at,
        )

        grant.additional_properties = d
        return grant

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
