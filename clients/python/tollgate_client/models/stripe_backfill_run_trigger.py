from enum import StrEnum


class StripeBackfillRunTrigger(StrEnum):
    ADMIN = "admin"
    CLI = "cli"
    SCHEDULE = "schedule"

    def __str__(self) -> str:
        return str(self.value)
