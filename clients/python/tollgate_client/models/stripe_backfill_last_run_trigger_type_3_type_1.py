from enum import StrEnum


class StripeBackfillLastRunTriggerType3Type1(StrEnum):
    ADMIN = "admin"
    CLI = "cli"
    SCHEDULE = "schedule"

    def __str__(self) -> str:
        return str(self.value)
