from enum import StrEnum


class WebhookEventDetailStatus(StrEnum):
    DEAD = "dead"
    FAILED = "failed"
    IGNORED = "ignored"
    PENDING = "pending"
    PROCESSED = "processed"
    PROCESSING = "processing"

    def __str__(self) -> str:
        return str(self.value)
