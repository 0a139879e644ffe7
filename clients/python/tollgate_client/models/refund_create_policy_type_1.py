from enum import StrEnum


class RefundCreatePolicyType1(StrEnum):
    ALLOW_NEGATIVE = "allow_negative"
    REFUSE = "refuse"
    UNSPENT_ONLY = "unspent_only"

    def __str__(self) -> str:
        return str(self.value)
