from enum import StrEnum


class CustomerErasureStripeCustomerDeletion(StrEnum):
    NONE = "none"
    REQUESTED = "requested"

    def __str__(self) -> str:
        return str(self.value)
