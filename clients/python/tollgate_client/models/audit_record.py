from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.audit_record_after_type_0 import AuditRecordAfterType0
    from ..models.audit_record_before_type_0 import AuditRecordBeforeType0


T = TypeVar("T", bound="AuditRecord")


@_attrs_define
class AuditRecord:
    """One state-changing call: when, by whom, from where, what it did to what, and what changed.

    Attributes:
        id (str): The record's id.
        seq (int): The record's place in the tenant's chain: 1, 2, 3...
        occurred_at (datetime.datetime): When the change was made (UTC).
        principal (str): Who made it: an API key's name, `jwt:<customer>` for an end-user token, `system:<job>`.
        request_id (None | str): The request's `X-Request-Id`; null outside one.
        source_ip (None | str): The caller's address; null for jobs.
        action (str): What was done: `ledger.grant`, `customer.update`, ...
        target (str): What it was done to: `customer:<id>`, `event:<id>`, ...
        before (AuditRecordBeforeType0 | None): The changed fields before; null: none.
        after (AuditRecordAfterType0 | None): The changed fields after; null: none.
        prev_hash (str): The hash of the tenant's previous record; empty for its first.
        hash_ (str): SHA-256 of this record's fields and `prev_hash`.
    """

    id: str
    seq: int
    occurred_at: datetime.datetime
    principal: str
    request_id: None | str
    source_ip: None | str
    action: str
    target: str
    before: AuditRecordBeforeType0 | None
    after: AuditRecordAfterType0 | None
    prev_hash: str
    hash_: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.audit_record_after_type_0 import AuditRecordAfterType0  # noqa: PLC0415
        from ..models.audit_record_before_type_0 import AuditRecordBeforeType0  # noqa: PLC0415

        id = self.id

        seq = self.seq

        occurred_at = self.occurred_at.isoformat()

        principal = self.principal

        request_id: None | str
        request_id = self.request_id

        source_ip: None | str
        source_ip = self.source_ip

        action = self.action

        target = self.target

        before: dict[str, Any] | None
        if isinstance(self.before, AuditRecordBeforeType0):
            before = self.before.to_dict()
        else:
            before = self.before

        after: dict[str, Any] | None
        if isinstance(self.after, AuditRecordAfterType0):
            after = self.after.to_dict()
        else:
            after = self.after

        prev_hash = self.prev_hash

        hash_ = self.hash_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "seq": seq,
                "occurred_at": occurred_at,
                "principal": principal,
                "request_id": request_id,
                "source_ip": source_ip,
                "action": action,
                "target": target,
                "before": before,
                "after": after,
                "prev_hash": prev_hash,
                "hash": hash_,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.audit_record_after_type_0 import AuditRecordAfterType0  # noqa: PLC0415
        from ..models.audit_record_before_type_0 import AuditRecordBeforeType0  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        seq = d.pop("seq")

        occurred_at = datetime.datetime.fromisoformat(d.pop("occurred_at"))

        principal = d.pop("principal")

        def _parse_request_id(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        request_id = _parse_request_id(d.pop("request_id"))

        def _parse_source_ip(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        source_ip = _parse_source_ip(d.pop("source_ip"))

        action = d.pop("action")

        target = d.pop("target")

        def _parse_before(data: object) -> AuditRecordBeforeType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                before_type_0 = AuditRecordBeforeType0.from_dict(data)

                return before_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordBeforeType0 | None, data)

        before = _parse_before(d.pop("before"))

        def _parse_after(data: object) -> AuditRecordAfterType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                after_type_0 = AuditRecordAfterType0.from_dict(data)

                return after_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AuditRecordAfterType0 | None, data)

        after = _parse_after(d.pop("after"))

        prev_hash = d.pop("prev_hash")

        hash_ = d.pop("hash")

        audit_record = cls(
            id=id,
            seq=seq,
            occurred_at=occurred_at,
            principal=principal,
            request_id=request_id,
            source_ip=source_ip,
            action=action,
            target=target,
            before=before,
            after=after,
            prev_hash=prev_hash,
            hash_=hash_,
        )

        audit_record.additional_properties = d
        return audit_record

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
