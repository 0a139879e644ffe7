from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.catalog_product_credit_type_type_1 import CatalogProductCreditTypeType1
from ..models.catalog_product_credit_type_type_2_type_1 import CatalogProductCreditTypeType2Type1
from ..models.catalog_product_credit_type_type_3_type_1 import CatalogProductCreditTypeType3Type1

if TYPE_CHECKING:
    from ..models.catalog_price import CatalogPrice
    from ..models.catalog_product_metadata import CatalogProductMetadata
    from ..models.metadata_problem import MetadataProblem


T = TypeVar("T", bound="CatalogProduct")


@_attrs_define
class CatalogProduct:
    """A Stripe product as last synced, with the credit terms its metadata gives and its prices.

    Attributes:
        id (str): The Stripe product (`prod_...`).
        name (str): Its name in Stripe.
        description (None | str): Its description in Stripe; null: none.
        active (bool): Active in Stripe.
        deleted (bool): Deleted in Stripe: kept for the prices that still bill.
        default_price (None | str): Its default Stripe price; null: none.
        credit_amount (int | None): Credits one unit gives (`credit_amount` metadata); null: none.
        credit_type (CatalogProductCreditTypeType1 | CatalogProductCreditTypeType2Type1 |
            CatalogProductCreditTypeType3Type1 | None): What the credits are for (`credit_type` metadata): `payg` or
            `subscription`; null: none.
        plan_tier (None | str): The subscription tier it sells (`plan_tier` metadata); null: none.
        feature_flags (list[str]): Feature flags it turns on (`feature_flags` metadata).
        metadata (CatalogProductMetadata): Its metadata as Stripe has it.
        problems (list[MetadataProblem]): Metadata values that could not be used; empty: none.
        updated (int): Stripe's `updated` of the version synced, seconds since the epoch: an older event never
            overwrites it.
        prices (list[CatalogPrice]): Its prices.
    """

    id: str
    name: str
    description: None | str
    active: bool
    deleted: bool
    default_price: None | str
    credit_amount: int | None
    credit_type: (
        CatalogProductCreditTypeType1 | CatalogProductCreditTypeType2Type1 | CatalogProductCreditTypeType3Type1 | None
    )
    plan_tier: None | str
    feature_flags: list[str]
    metadata: CatalogProductMetadata
    problems: list[MetadataProblem]
    updated: int
    prices: list[CatalogPrice]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        name = self.name

        description: None | str
        description = self.description

        active = self.active

        deleted = self.deleted

        default_price: None | str
        default_price = self.default_price

        credit_amount: int | None
        credit_amount = self.credit_amount

        credit_type: None | str
        if isinstance(self.credit_type, CatalogProductCreditTypeType1):
            credit_type = self.credit_type.value
        elif isinstance(self.credit_type, CatalogProductCreditTypeType2Type1):
            credit_type = self.credit_type.value
        elif isinstance(self.credit_type, CatalogProductCreditTypeType3Type1):
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

        updated = self.updated

        prices = []
        for prices_item_data in self.prices:
            prices_item = prices_item_data.to_dict()
            prices.append(prices_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "name": name,
                "description": description,
                "active": active,
                "deleted": deleted,
                "default_price": default_price,
                "credit_amount": credit_amount,
                "credit_type": credit_type,
                "plan_tier": plan_tier,
                "feature_flags": feature_flags,
                "metadata": metadata,
                "problems": problems,
                "updated": updated,
                "prices": prices,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.catalog_price import CatalogPrice  # noqa: PLC0415
        from ..models.catalog_product_metadata import CatalogProductMetadata  # noqa: PLC0415
        from ..models.metadata_problem import MetadataProblem  # noqa: PLC0415

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        def _parse_description(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        description = _parse_description(d.pop("description"))

        active = d.pop("active")

        deleted = d.pop("deleted")

        def _parse_default_price(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        default_price = _parse_default_price(d.pop("default_price"))

        def _parse_credit_amount(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credit_amount = _parse_credit_amount(d.pop("credit_amount"))

        def _parse_credit_type(
            data: object,
        ) -> (
            CatalogProductCreditTypeType1
            | CatalogProductCreditTypeType2Type1
            | CatalogProductCreditTypeType3Type1
            | None
        ):
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_1 = CatalogProductCreditTypeType1(data)

                return credit_type_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_2_type_1 = CatalogProductCreditTypeType2Type1(data)

                return credit_type_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                credit_type_type_3_type_1 = CatalogProductCreditTypeType3Type1(data)

                return credit_type_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                CatalogProductCreditTypeType1
                | CatalogProductCreditTypeType2Type1
                | CatalogProductCreditTypeType3Type1
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

        metadata = CatalogProductMetadata.from_dict(d.pop("metadata"))

        problems = []
        _problems = d.pop("problems")
        for problems_item_data in _problems:
            problems_item = MetadataProblem.from_dict(problems_item_data)

            problems.append(problems_item)

        updated = d.pop("updated")

        prices = []
        _prices = d.pop("prices")
        for prices_item_data in _prices:
            prices_item = CatalogPrice.from_dict(prices_item_data)

            prices.append(prices_item)

        catalog_product = cls(
            id=id,
            name=name,
            description=description,
            active=active,
            deleted=deleted,
            default_price=default_price,
            credit_amount=credit_amount,
            credit_type=credit_type,
            plan_tier=plan_tier,
            feature_flags=feature_flags,
            metadata=metadata,
            problems=problems,
            updated=updated,
            prices=prices,
        )

        catalog_product.additional_properties = d
        return catalog_product

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
