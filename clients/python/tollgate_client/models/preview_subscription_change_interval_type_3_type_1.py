from enum import StrEnum


class PreviewSubscriptionChangeIntervalType3Type1(StrEnum):
    MONTH = "month"
    YEAR = "year"

    def __str__(self) -> str:
        return str(self.value)
