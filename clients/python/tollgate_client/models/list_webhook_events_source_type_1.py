from enum import StrEnum


class ListWebhookEventsSourceType1(StrEnum):
    BACKFILL = "backfill"
    DELIVERY = "delivery"

    def __str__(self) -> str:
        return str(self.value)
