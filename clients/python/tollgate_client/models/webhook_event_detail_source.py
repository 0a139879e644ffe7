from enum import StrEnum


class WebhookEventDetailSource(StrEnum):
    BACKFILL = "backfill"
    DELIVERY = "delivery"

    def __str__(self) -> str:
        return str(self.value)
