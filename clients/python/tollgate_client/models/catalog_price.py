from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.catalog_price_credit_type_type_1 import CatalogPriceCreditTypeType1
from ..models.catalog_price_credit_type_type_2_type_1 import CatalogPriceCreditTypeType2Type1
from ..models.catalog_price_credit_type_type_3_type_1 import CatalogPriceCreditTypeType3Type1

if TYPE_CHECKING:
    from ..models.catalog_price_metadata import CatalogPriceMetadata
    from ..models.metadata_problem import MetadataProblem


T = TypeVar("T", bound="CatalogPrice")


@_attrs_define
class CatalogPrice:
    """A synced price as the kernel's catalog contract has it, with the problems its metadata has.

    Attributes:
        id (str): The Stripe price (`price_...`).
        product (str): Its Stripe product (`prod_...`).
        product_name (None | str): The product's name; null when not synced yet.
        currency (str): ISO 4217 currency, lowercase.
        unit_amount (int | None): Money per unit, in minor units of `currency` (1000 usd: 10.00 USD); null: a tiered or
            custom price.
        type_ (str): `one_time` or `recurring`, as in Stripe.
        interval (None | str): A recurring price's billing period (`month`, `year`); null: one-time.
        interval_count (int | None): Periods between charges (1: every month); null: one-time.
        lookup_key (None | str): The price's lookup key in Stripe; null: none.
        nickname (None | str): The price's nickname in Stripe; null: none.
        active (bool): A purchase may use it: the price and its product both active and not deleted in Stripe.
        price_active (bool): The price is active in Stripe.
        product_active (bool): Its product is active in Stripe.
        is_default (bool): It is its product's default price.
        credit_amount (int | None): Credits one unit gives (`credit_amount` metadata, the price's over its product's);
            null: none.
        credit_type (CatalogPriceCreditTypeType1 | CatalogPriceCreditTypeType2Type1 | CatalogPriceCreditTypeType3Type1 |
            None): What the credits are for (`credit_type` metadata): `payg` or `subscription`; null: none.
        plan_tier (None | str): The subscription tier it sells (`plan_tier` metadata); null: none.
        feature_flags (list[str]): Feature flags it turns on (`feature_flags` metadata).
        metadata (CatalogPriceMetadata): The price's metadata as Stripe has it.
        problems (list[MetadataProblem]): Metadata values of the price that could not be used; empty: none.
    """

    id: str
    product: str
    product_name: None | str
    currency: str
    unit_amount: int | None
    type_: str
    interval: None | str
    interval_count: int | None
    lookup_key: None | str
    nickname: None | str
    active: bool
    price_active: bool
    product_active: bool
    is_default: bool
    credit_amount: int | None
    credit_type: (
        CatalogPriceCreditTypeType1 | CatalogPriceCreditTypeType2Type1 | CatalogPriceCreditTypeType3Type1 | None
    )
    plan_tier: None | str
    feature_flags: list[str]
    metadata: CatalogPriceMetadata
    problems: list[MetadataProblem]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        product = self.product

        product_name: None | str
        product_name = self.product_name

        currency = self.currency

        unit_amount: int | None
        unit_amount = self.unit_amount

        type_ = self.type_

        interval: None | str
        interval = self.interval

        interval_count: int | None
        interval_count = self.interval_count

        lookup_key: None | str
        lookup_key = self.lookup_key

        nickname: None | str
        nickname = self.nickname

        active = self.active

        price_active = self.price_active

        product_active = self.product_active

        is_default = self.is_default

        credit_amount: int | None
        credit_amount = self.credit_amount

        credit_type: None | str
        if isinstance(self.credit_type, CatalogPriceCreditTypeType1):
            credit_type = self.credit_type.value
        elif isinstance(self.credit_type, CatalogPriceCreditTypeType2Type1):
            credit_type = self.credit_type.value
        elif isinstance(self.credit_type, CatalogPriceCreditTypeType3Type1):
            credit_type = self.credit_type.value
        else:
            credit_type = self.credit_type

        plan_tier: None | str
        plan_tier = self.plan_tier

        feature_flags = self.feature_flags

        metadata = self.metadata.to_dict()

        problems = []
        for problems_item_data in self.problems:
            problems_item = problems_item_data.to_dict()
            problems.append(problems_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "product": product,
                "product_name": product_name,
                "currency": currency,
                "unit_amount": unit_amount,
                "type": type_,
                "interval": interval,
                "interval_count": interval_count,
                "lookup_key": lookup_key,
                "nickname": nickname,
                "active": active,
                "price_active": price_active,
                "product_active": product_active,
                "is_default": is_default,
                "credit_amount": credit_amount,
                "credit_type": credit_type,
                "plan_tier": plan_tier,
                "feature_flags": feature_flags,
                "metadata": metadata,
                "problems": problems,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.catalog_price_metadata import CatalogPriceMetadata  # noqa: PLC0415
        from ..models.metadata_problem import MetadataProblem  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        product = d.pop("product")

        def _parse_product_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        product_name = _parse_product_name(d.pop("product_name"))

        currency = d.pop("currency")

        def _parse_unit_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        unit_amount = _parse_unit_amount(d.pop("unit_amount"))

        type_ = d.pop("type")

        def _parse_interval(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        interval = _parse_interval(d.pop("interval"))

        def _parse_interval_count(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        interval_count = _parse_interval_count(d.pop("interval_count"))

        def _parse_lookup_key(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        lookup_key = _parse_lookup_key(d.pop("lookup_key"))

        def _parse_nickname(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        nickname = _parse_nickname(d.pop("nickname"))

        active = d.pop("active")

        price_active = d.pop("price_active")

        product_active = d.pop("product_active")

        is_default = d.pop("is_default")

        def _parse_credit_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credit_amount = _parse_credit_amount(d.pop("credit_amount"))

        def _parse_credit_type(
            data: object,
        ) -> CatalogPriceCreditTypeType1 | CatalogPriceCreditTypeType2Type1 | CatalogPriceCreditTypeType3Type1 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_1 = CatalogPriceCreditTypeType1(data)

                return credit_type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_2_type_1 = CatalogPriceCreditTypeType2Type1(data)

                return credit_type_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_3_type_1 = CatalogPriceCreditTypeType3Type1(data)

                return credit_type_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CatalogPriceCreditTypeType1
                | CatalogPriceCreditTypeType2Type1
                | CatalogPriceCreditTypeType3Type1
                | None,
                data,
            )

        credit_type = _parse_credit_type(d.pop("credit_type"))

        def _parse_plan_tier(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        plan_tier = _parse_plan_tier(d.pop("plan_tier"))

        feature_flags = cast(list[str], d.pop("feature_flags"))

        metadata = CatalogPriceMetadata.from_dict(d.pop("metadata"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = MetadataProblem.from_dict(problems_item_data)

            problems.append(problems_item)

        catalog_price = cls(
            id=id,
            product=product,
            product_name=product_name,
            currency=currency,
            unit_amount=unit_amount,
            type_=type_,
            interval=interval,
            interval_count=interval_count,
            lookup_key=lookup_key,
            nickname=nickname,
            active=active,
            price_active=price_active,
            product_active=product_active,
            is_default=is_default,
            credit_amount=credit_amount,
            credit_type=credit_type,
            plan_tier=plan_tier,
            feature_flags=feature_flags,
            metadata=metadata,
            problems=problems,
        )

        catalog_price.additional_properties = d
        return catalog_price

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
