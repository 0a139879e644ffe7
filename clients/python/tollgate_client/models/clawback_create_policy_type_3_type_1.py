from enum import StrEnum


class ClawbackCreatePolicyType3Type1(StrEnum):
    ALLOW_NEGATIVE = "allow_negative"
    DOWN_TO_ZERO = "down_to_zero"

    def __str__(self) -> str:
        return str(self.value)
