from enum import StrEnum


class PreviewSubscriptionChangeIntervalType1(StrEnum):
    MONTH = "month"
    YEAR = "year"

    def __str__(self) -> str:
        return str(self.value)
