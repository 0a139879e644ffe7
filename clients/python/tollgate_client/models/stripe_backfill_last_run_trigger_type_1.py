from enum import StrEnum


class StripeBackfillLastRunTriggerType1(StrEnum):
    ADMIN = "admin"
    CLI = "cli"
    SCHEDULE = "schedule"

    def __str__(self) -> str:
        return str(self.value)
