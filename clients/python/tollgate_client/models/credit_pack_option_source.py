from enum import StrEnum


class CreditPackOptionSource(StrEnum):
    CATALOG = "catalog"
    SETTINGS = "settings"

    def __str__(self) -> str:
        return str(self.value)
