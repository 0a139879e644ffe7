from enum import StrEnum


class EntryKind(StrEnum):
    ADJUST = "adjust"
    CAPTURE = "capture"
    CLAWBACK = "clawback"
    EXPIRE = "expire"
    GRANT = "grant"
    HOLD = "hold"
    REFUND = "refund"
    RELEASE = "release"
    SPEND = "spend"

    def __str__(self) -> str:
        return str(self.value)
