from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.clawback_create_policy_type_1 import ClawbackCreatePolicyType1
from ..models.clawback_create_policy_type_2_type_1 import ClawbackCreatePolicyType2Type1
from ..models.clawback_create_policy_type_3_type_1 import ClawbackCreatePolicyType3Type1
from ..types import UNSET, Unset

T = TypeVar("T", bound="ClawbackCreate")


@_attrs_define
class ClawbackCreate:
    """Take back what one grant gave: first what it still has, then what was spent of it from other grants.

    Attributes:
        source (str): The grant's source: `admin`, `payg`, `token_packages`, `subscriptions`, ...
        source_ref (str): The grant's reference within its source (a grant reference, a Stripe payment or invoice id).
        credits_ (int | None | Unset): Credits to take back; null: all the grant gave that has not expired or been taken
            back.
        policy (ClawbackCreatePolicyType1 | ClawbackCreatePolicyType2Type1 | ClawbackCreatePolicyType3Type1 | None |
            Unset): `down_to_zero`: never below a zero balance; `allow_negative`: the shortfall becomes debt. Null: the
            tenant's `ledger.clawback`.
        reason (None | str | Unset): Why, in the operator's words; shown in the ledger. Null: none given.
    """

    source: str
    source_ref: str
    credits_: int | None | Unset = UNSET
    policy: (
        ClawbackCreatePolicyType1 | ClawbackCreatePolicyType2Type1 | ClawbackCreatePolicyType3Type1 | None | Unset
    ) = UNSET
    reason: None | str | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        source_ref = self.source_ref

        credits_: int | None | Unset
        if isinstance(self.credits_, Unset):
            credits_ = UNSET
        else:
            credits_ = self.credits_

        policy: None | str | Unset
        if isinstance(self.policy, Unset):
            policy = UNSET
        elif isinstance(self.policy, ClawbackCreatePolicyType1):
            policy = self.policy.value
        elif isinstance(self.policy, ClawbackCreatePolicyType2Type1):
            policy = self.policy.value
        elif isinstance(self.policy, ClawbackCreatePolicyType3Type1):
            policy = self.policy.value
        else:
            policy = self.policy

        reason: None | str | Unset
        if isinstance(self.reason, Unset):
            reason = UNSET
        else:
            reason = self.reason

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "source": source,
                "source_ref": source_ref,
            }
        )
        if credits_ is not UNSET:
            field_dict["credits"] = credits_
        if policy is not UNSET:
            field_dict["policy"] = policy
        if reason is not UNSET:
            field_dict["reason"] = reason

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        source = d.pop("source")

        source_ref = d.pop("source_ref")

        def _parse_credits_(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        credits_ = _parse_credits_(d.pop("credits", UNSET))

        def _parse_policy(
            data: object,
        ) -> ClawbackCreatePolicyType1 | ClawbackCreatePolicyType2Type1 | ClawbackCreatePolicyType3Type1 | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_1 = ClawbackCreatePolicyType1(data)

                return policy_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_2_type_1 = ClawbackCreatePolicyType2Type1(data)

                return policy_type_2_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            try:
                if not isinstance(data, str):
                    raise TypeError()
                policy_type_3_type_1 = ClawbackCreatePolicyType3Type1(data)

                return policy_type_3_type_1
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(
                ClawbackCreatePolicyType1
                | ClawbackCreatePolicyType2Type1
                | ClawbackCreatePolicyType3Type1
                | None
                | Unset,
                data,
            )

        policy = _parse_policy(d.pop("policy", UNSET))

        def _parse_reason(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        reason = _parse_reason(d.pop("reason", UNSET))

        clawback_create = cls(
            source=source,
            source_ref=source_ref,
            credits_=credits_,
            policy=policy,
            reason=reason,
        )

        return clawback_create
