from enum import StrEnum


class MoneyAuditDifferenceKind(StrEnum):
    AMOUNT_MISMATCH = "amount_mismatch"
    CREDITS_MISMATCH = "credits_mismatch"
    DISPUTE_NOT_HELD = "dispute_not_held"
    GRANTED_WITHOUT_PAYMENT = "granted_without_payment"
    PAID_NOT_GRANTED = "paid_not_granted"
    REFUND_NOT_CLAWED_BACK = "refund_not_clawed_back"
    UNCLAIMED = "unclaimed"

    def __str__(self) -> str:
        return str(self.value)
