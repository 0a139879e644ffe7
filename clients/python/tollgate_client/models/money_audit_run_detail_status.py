from enum import StrEnum


class MoneyAuditRunDetailStatus(StrEnum):
    CLEAN = "clean"
    DIFFERENCES = "differences"
    FAILED = "failed"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
