from enum import StrEnum


class SubscriptionUpdateIntervalType1(StrEnum):
    MONTH = "month"
    YEAR = "year"

    def __str__(self) -> str:
        return str(self.value)
