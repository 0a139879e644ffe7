from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.refund_create_policy_type_1 import RefundCreatePolicyType1
from ..models.refund_create_policy_type_2_type_1 import RefundCreatePolicyType2Type1
from ..models.refund_create_policy_type_3_type_1 import RefundCreatePolicyType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="RefundCreate")


@_attrs_define
class RefundCreate:
    """`amount` in minor units (None: all that is left to refund); `payment` picks a recurring pack's period.

    Attributes:
        amount (int | None | Unset): Money to refund, in minor units of the order's currency; null: all that is left.
        reason (None | str | Unset): Why, for the records; null: none.
        payment (None | str | Unset): The payment to refund (a recurring pack's period); null: the latest.
        policy (None | RefundCreatePolicyType1 | RefundCreatePolicyType2Type1 | RefundCreatePolicyType3Type1 | Unset):
            What to do with spent credits, over the tenant's `refund_policy`: `refuse`, `allow_negative`, `unspent_only`;
            null: the tenant's.
    """

    amount: int | None | Unset = UNSET
    reason: None | str | Unset = UNSET
    payment: None | str | Unset = UNSET
    policy: None | RefundCreatePolicyType1 | RefundCreatePolicyType2Type1 | RefundCreatePolicyType3Type1 | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        amount: int | None | Unset
        if isinstance(self.amount, Unset):
            amount = UNSET
        else:
            amount = self.amount

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        payment: None | str | Unset
        if isinstance(self.payment, Unset):
            payment = UNSET
        else:
            payment = self.payment

        policy: None | str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        elif isinstance(self.policy, RefundCreatePolicyType1):
            policy = self.policy.value
        elif isinstance(self.policy, RefundCreatePolicyType2Type1):
            policy = self.policy.value
        elif isinstance(self.policy, RefundCreatePolicyType3Type1):
            policy = self.policy.value
        else:
            policy = self.policy

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if amount is not UNSET:
            field_dict["amount"] = amount
        if reason is not UNSET:
            field_dict["reason"] = reason
        if payment is not UNSET:
            field_dict["payment"] = payment
        if policy is not UNSET:
            field_dict["policy"] = policy

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)

        def _parse_amount(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        amount = _parse_amount(d.pop("amount", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        def _parse_payment(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        payment = _parse_payment(d.pop("payment", UNSET))

        def _parse_policy(
            data: object,
        ) -> None | RefundCreatePolicyType1 | RefundCreatePolicyType2Type1 | RefundCreatePolicyType3Type1 | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_1 = RefundCreatePolicyType1(data)

                return policy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_2_type_1 = RefundCreatePolicyType2Type1(data)

                return policy_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_3_type_1 = RefundCreatePolicyType3Type1(data)

                return policy_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                None | RefundCreatePolicyType1 | RefundCreatePolicyType2Type1 | RefundCreatePolicyType3Type1 | Unset,
                data,
            )

        policy = _parse_policy(d.pop("policy", UNSET))

        refund_create = cls(
            amount=amount,
            reason=reason,
            payment=payment,
            policy=policy,
        )

        return refund_create
