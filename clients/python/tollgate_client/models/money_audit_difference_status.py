from enum import StrEnum


class MoneyAuditDifferenceStatus(StrEnum):
    OPEN = "open"
    REPAIRED = "repaired"

    def __str__(self) -> str:
        return str(self.value)
