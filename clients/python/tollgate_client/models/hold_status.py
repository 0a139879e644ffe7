from enum import StrEnum


class HoldStatus(StrEnum):
    ACTIVE = "active"
    CAPTURED = "captured"
    EXPIRED = "expired"
    RELEASED = "released"

    def __str__(self) -> str:
        return str(self.value)
