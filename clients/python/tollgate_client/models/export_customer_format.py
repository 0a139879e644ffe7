from enum import StrEnum


class ExportCustomerFormat(StrEnum):
    AUTO = "auto"
    JSON = "json"
    ZIP = "zip"

    def __str__(self) -> str:
        return str(self.value)
