from enum import StrEnum


class CatalogPriceCreditTypeType2Type1(StrEnum):
    PAYG = "payg"
    SUBSCRIPTION = "subscription"

    def __str__(self) -> str:
        return str(self.value)
