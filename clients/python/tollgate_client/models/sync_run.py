from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.metadata_problem import MetadataProblem


T = TypeVar("T", bound="SyncRun")


@_attrs_define
class SyncRun:
    """One full sync of the tenant's catalog from Stripe.

    Attributes:
        id (UUID): The run's id.
        status (str): `queued`, `running`, `succeeded` or `failed`.
        trigger (str): What started it: `admin` (the API), `cli`, `schedule` or `task`.
        created_at (datetime.datetime): When it was asked for.
        started_at (datetime.datetime | None): When it started; null while queued.
        finished_at (datetime.datetime | None): When it finished; null until then.
        products (int): Products read from Stripe.
        prices (int): Prices read from Stripe.
        stale_skipped (int): Objects left alone because a newer version was already synced.
        deactivated_products (int): Products marked inactive because Stripe no longer lists them.
        deactivated_prices (int): Prices marked inactive because Stripe no longer lists them.
        problems (list[MetadataProblem]): Metadata values that could not be used; empty: none.
        error (None | str): Why it failed; null unless `failed`.
    """

    id: UUID
    status: str
    trigger: str
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    products: int
    prices: int
    stale_skipped: int
    deactivated_products: int
    deactivated_prices: int
    problems: list[MetadataProblem]
    error: None | str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = str(self.id)

        status = self.status

        trigger = self.trigger

        created_at = self.created_at.isoformat()

        started_at: None | str
        if isinstance(self.started_at, datetime.datetime):
            started_at = self.started_at.isoformat()
        else:
            started_at = self.started_at

        finished_at: None | str
        if isinstance(self.finished_at, datetime.datetime):
            finished_at = self.finished_at.isoformat()
        else:
            finished_at = self.finished_at

        products = self.products

        prices = self.prices

        stale_skipped = self.stale_skipped

        deactivated_products = self.deactivated_products

        deactivated_prices = self.deactivated_prices

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        error: None | str
        error = self.error

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "status": status,
                "trigger": trigger,
                "created_at": created_at,
                "started_at": started_at,
                "finished_at": finished_at,
                "products": products,
                "prices": prices,
                "stale_skipped": stale_skipped,
                "deactivated_products": deactivated_products,
                "deactivated_prices": deactivated_prices,
                "problems": problems,
                "error": error,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.metadata_problem import MetadataProblem  # noqa: PLC0415

        d = dict(src_dict)
        id = UUID(d.pop("id"))

        status = d.pop("status")

        trigger = d.pop("trigger")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_started_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                started_at_type_0 = datetime.datetime.fromisoformat(data)

                return started_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        started_at = _parse_started_at(d.pop("started_at"))

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

        products = d.pop("products")

        prices = d.pop("prices")

        stale_skipped = d.pop("stale_skipped")

        deactivated_products = d.pop("deactivated_products")

        deactivated_prices = d.pop("deactivated_prices")

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = MetadataProblem.from_dict(problems_item_data)

            problems.append(problems_item)

        def _parse_error(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        error = _parse_error(d.pop("error"))

        sync_run = cls(
            id=id,
            status=status,
            trigger=trigger,
            created_at=created_at,
            started_at=started_at,
            finished_at=finished_at,
            products=products,
            prices=prices,
            stale_skipped=stale_skipped,
            deactivated_products=deactivated_products,
            deactivated_prices=deactivated_prices,
            problems=problems,
            error=error,
        )

        sync_run.additional_properties = d
        return sync_run

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
