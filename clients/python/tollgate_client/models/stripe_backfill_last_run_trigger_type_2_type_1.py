from enum import StrEnum


class StripeBackfillLastRunTriggerType2Type1(StrEnum):
    ADMIN = "admin"
    CLI = "cli"
    SCHEDULE = "schedule"

    def __str__(self) -> str:
        return str(self.value)
