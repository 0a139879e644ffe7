from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.money_audit_run_status import MoneyAuditRunStatus

if TYPE_CHECKING:
    from ..models.money_audit_run_objects import MoneyAuditRunObjects


T = TypeVar("T", bound="MoneyAuditRun")


@_attrs_define
class MoneyAuditRun:
    """One audit of a period of the tenant's money against its Stripe account.

    Attributes:
        id (str): The run's id.
        since (datetime.datetime): Start of the audited period (inclusive).
        until (datetime.datetime): End of the audited period (exclusive).
        trigger (str): `schedule`, `cli` or `api`.
        repair (bool): Whether missing events were looked for and applied.
        status (MoneyAuditRunStatus): `clean`, `differences` (some open) or `failed` (see `error`).
        objects (MoneyAuditRunObjects): Stripe objects read, by kind.
        open_differences (int): Differences left for a person.
        repaired_differences (int): Differences the run repaired.
        error (None | str): Why a failed run failed.
        started_at (datetime.datetime): When the run started.
        finished_at (datetime.datetime | None): When it finished.
    """

    id: str
    since: datetime.datetime
    until: datetime.datetime
    trigger: str
    repair: bool
    status: MoneyAuditRunStatus
    objects: MoneyAuditRunObjects
    open_differences: int
    repaired_differences: int
    error: None | str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        since = self.since.isoformat()

        until = self.until.isoformat()

        trigger = self.trigger

        repair = self.repair

        status = self.status.value

        objects = self.objects.to_dict()

        open_differences = self.open_differences

        repaired_differences = self.repaired_differences

        error: None | str
        error = self.error

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "since": since,
                "until": until,
                "trigger": trigger,
                "repair": repair,
                "status": status,
                "objects": objects,
                "open_differences": open_differences,
                "repaired_differences": repaired_differences,
                "error": error,
                "started_at": started_at,
                "finished_at": finished_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_audit_run_objects import MoneyAuditRunObjects  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        trigger = d.pop("trigger")

        repair = d.pop("repair")

        status = MoneyAuditRunStatus(d.pop("status"))

        objects = MoneyAuditRunObjects.from_dict(d.pop("objects"))

        open_differences = d.pop("open_differences")

        repaired_differences = d.pop("repaired_differences")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        started_at = datetime.datetime.fromisoformat(d.pop("started_at"))

        def _parse_finished_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                finished_at_type_0 = datetime.datetime.fromisoformat(data)

                return finished_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        finished_at = _parse_finished_at(d.pop("finished_at"))

        money_audit_run = cls(
            id=id,
            since=since,
            until=until,
            trigger=trigger,
            repair=repair,
            status=status,
            objects=objects,
            open_differences=open_differences,
            repaired_differences=repaired_differences,
            error=error,
            started_at=started_at,
            finished_at=finished_at,
        )

        money_audit_run.additional_properties = d
        return money_audit_run

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
