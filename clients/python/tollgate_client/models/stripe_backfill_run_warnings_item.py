from enum import StrEnum


class StripeBackfillRunWarningsItem(StrEnum):
    ENDPOINT_DISABLED = "endpoint_disabled"
    EVENTS_BEHIND = "events_behind"
    SIGNATURE_FAILURES = "signature_failures"

    def __str__(self) -> str:
        return str(self.value)
