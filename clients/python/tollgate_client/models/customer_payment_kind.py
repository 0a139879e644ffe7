from enum import StrEnum


class CustomerPaymentKind(StrEnum):
    DISPUTE = "dispute"
    PAYMENT = "payment"
    REFUND = "refund"

    def __str__(self) -> str:
        return str(self.value)
