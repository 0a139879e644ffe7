from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.money_audit_differences_kinds import MoneyAuditDifferencesKinds


T = TypeVar("T", bound="MoneyAuditDifferences")


@_attrs_define
class MoneyAuditDifferences:
    """`money_audit.differences`: an audit left differences between Stripe and Tollgate for a person to look at.

    Attributes:
        run (str): The run's id (`GET /admin/money-audits/{run}`).
        since (datetime.datetime): Start of the audited period.
        until (datetime.datetime): End of the audited period.
        open_differences (int): Differences left open.
        repaired_differences (int): Differences the run repaired.
        kinds (MoneyAuditDifferencesKinds): Open differences by kind.
    """

    run: str
    since: datetime.datetime
    until: datetime.datetime
    open_differences: int
    repaired_differences: int
    kinds: MoneyAuditDifferencesKinds
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        run = self.run

        since = self.since.isoformat()

        until = self.until.isoformat()

        open_differences = self.open_differences

        repaired_differences = self.repaired_differences

        kinds = self.kinds.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "run": run,
                "since": since,
                "until": until,
                "open_differences": open_differences,
                "repaired_differences": repaired_differences,
                "kinds": kinds,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.money_audit_differences_kinds import MoneyAuditDifferencesKinds  # noqa: PLC0415

        d = dict(src_dict)
        run = d.pop("run")

        since = datetime.datetime.fromisoformat(d.pop("since"))

        until = datetime.datetime.fromisoformat(d.pop("until"))

        open_differences = d.pop("open_differences")

        repaired_differences = d.pop("repaired_differences")

        kinds = MoneyAuditDifferencesKinds.from_dict(d.pop("kinds"))

        money_audit_differences = cls(
            run=run,
            since=since,
            until=until,
            open_differences=open_differences,
            repaired_differences=repaired_differences,
            kinds=kinds,
        )

        money_audit_differences.additional_properties = d
        return money_audit_differences

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
