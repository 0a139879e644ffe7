from enum import StrEnum


class RefundSource(StrEnum):
    API = "api"
    STRIPE = "stripe"

    def __str__(self) -> str:
        return str(self.value)
