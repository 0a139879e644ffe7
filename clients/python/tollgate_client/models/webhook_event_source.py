from enum import StrEnum


class WebhookEventSource(StrEnum):
    BACKFILL = "backfill"
    DELIVERY = "delivery"

    def __str__(self) -> str:
        return str(self.value)
