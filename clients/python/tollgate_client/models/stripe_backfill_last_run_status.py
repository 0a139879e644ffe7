from enum import StrEnum


class StripeBackfillLastRunStatus(StrEnum):
    FAILED = "failed"
    OK = "ok"
    PARTIAL = "partial"
    RUNNING = "running"

    def __str__(self) -> str:
        return str(self.value)
