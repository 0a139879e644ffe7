from enum import StrEnum


class StripeBackfillRunStatus(StrEnum):
    FAILED = "failed"
    OK = "ok"
    PARTIAL = "partial"

    def __str__(self) -> str:
        return str(self.value)
