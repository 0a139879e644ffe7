from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.stripe_backfill_last_run_status import StripeBackfillLastRunStatus
from ..models.stripe_backfill_last_run_trigger_type_1 import StripeBackfillLastRunTriggerType1
from ..models.stripe_backfill_last_run_trigger_type_2_type_1 import StripeBackfillLastRunTriggerType2Type1
from ..models.stripe_backfill_last_run_trigger_type_3_type_1 import StripeBackfillLastRunTriggerType3Type1

T = TypeVar("T", bound="StripeBackfillLastRun")


@_attrs_define
class StripeBackfillLastRun:
    """The tenant's last backfill run (or the one running), as recorded.

    Attributes:
        trigger (None | StripeBackfillLastRunTriggerType1 | StripeBackfillLastRunTriggerType2Type1 |
            StripeBackfillLastRunTriggerType3Type1): Who started it.
        status (StripeBackfillLastRunStatus): `running`, or how it ended: `ok`, `partial` (its page limit) or `failed`.
        started_at (datetime.datetime): When it started.
        finished_at (datetime.datetime | None): When it ended; null: running.
        pages (int): Pages of Stripe's events read.
        seen (int): Events listed.
        stored (int): Events the inbox lacked, stored by it.
        error (None | str): Why it failed; null: it did not.
    """

    trigger: (
        None
        | StripeBackfillLastRunTriggerType1
        | StripeBackfillLastRunTriggerType2Type1
        | StripeBackfillLastRunTriggerType3Type1
    )
    status: StripeBackfillLastRunStatus
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    pages: int
    seen: int
    stored: int
    error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        trigger: None | str
        if isinstance(self.trigger, StripeBackfillLastRunTriggerType1):
            trigger = self.trigger.value
        elif isinstance(self.trigger, StripeBackfillLastRunTriggerType2Type1):
            trigger = self.trigger.value
        elif isinstance(self.trigger, StripeBackfillLastRunTriggerType3Type1):
            trigger = self.trigger.value
        else:
            trigger = self.trigger

        status = self.status.value

        started_at = self.started_at.isoformat()

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        pages = self.pages

        seen = self.seen

        stored = self.stored

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "trigger": trigger,
                "status": status,
                "started_at": started_at,
                "finished_at": finished_at,
                "pages": pages,
                "seen": seen,
                "stored": stored,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_trigger(
            data: object,
        ) -> (
            None
            | StripeBackfillLastRunTriggerType1
            | StripeBackfillLastRunTriggerType2Type1
            | StripeBackfillLastRunTriggerType3Type1
        ):
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trigger_type_1 = StripeBackfillLastRunTriggerType1(data)

                return trigger_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trigger_type_2_type_1 = StripeBackfillLastRunTriggerType2Type1(data)

                return trigger_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                trigger_type_3_type_1 = StripeBackfillLastRunTriggerType3Type1(data)

                return trigger_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None
                | StripeBackfillLastRunTriggerType1
                | StripeBackfillLastRunTriggerType2Type1
                | StripeBackfillLastRunTriggerType3Type1,
                data,
            )

        trigger = _parse_trigger(d.pop("trigger"))

        status = StripeBackfillLastRunStatus(d.pop("status"))

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

        pages = d.pop("pages")

        seen = d.pop("seen")

        stored = d.pop("stored")

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        stripe_backfill_last_run = cls(
            trigger=trigger,
            status=status,
            started_at=started_at,
            finished_at=finished_at,
            pages=pages,
            seen=seen,
            stored=stored,
            error=error,
        )

        stripe_backfill_last_run.additional_properties = d
        return stripe_backfill_last_run

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
