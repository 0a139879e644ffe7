from enum import StrEnum


class ListOrdersStatusType3Type1(StrEnum):
    EXPIRED = "expired"
    FAILED = "failed"
    PARTIALLY_REFUNDED = "partially_refunded"
    PENDING = "pending"
    PROCESSING = "processing"
    REFUNDED = "refunded"
    SUCCEEDED = "succeeded"

    def __str__(self) -> str:
        return str(self.value)
