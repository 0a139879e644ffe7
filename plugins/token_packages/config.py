"""The tenant's `token_packages` settings block: the packs on sale, their prices, expiry and refund policy."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Literal

import msgspec

from core.money import Currency
from tenants.registry import Tenant

PLUGIN = "token_packages"

PackageId = Annotated[str, msgspec.Meta(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
Positive = Annotated[int, msgspec.Meta(gt=0)]
NonNegative = Annotated[int, msgspec.Meta(ge=0)]
Interval = Literal["day", "week", "month", "year"]
# What happens to credits of the order that were already spent when its money is refunded.
RefundPolicy = Literal["refuse", "allow_negative", "unspent_only"]


class Expiry(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """How long purchased credits last after the payment: calendar months plus days (both 0: for ever)."""

    months: Annotated[int, msgspec.Meta(ge=0, le=1200, description="Calendar months.")] = 0
    days: Annotated[int, msgspec.Meta(ge=0, le=36_500, description="Days, after the months.")] = 0

    @property
    def never(self) -> bool:
        return self.months == 0 and self.days == 0

    def after(self, start: dt.datetime) -> dt.datetime | None:
        """When credits paid at `start` expire; a month later on the 31st is the last day of that month."""
        if self.never:
            return None
        month_index = start.month - 1 + self.months
        year, month = start.year + month_index // 12, month_index % 12 + 1
        day = min(start.day, calendar.monthrange(year, month)[1])
        return start.replace(year=year, month=month, day=day) + dt.timedelta(days=self.days)


class PackageConfig(msgspec.Struct, forbid_unknown_fields=True):
    """One pack: `credits` (+ `bonus_credits`) for a price in each currency it is sold in, in minor units."""

    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    credits: Positive
    prices: dict[Currency, Positive]
    bonus_credits: NonNegative = 0
    description: Annotated[str, msgspec.Meta(max_length=500)] | None = None
    # A recurring pack is a subscription: the credits are granted again every period.
    interval: Interval | None = None
    # Overrides the tenant-wide `expiry` for this pack.
    expiry: Expiry | None = None
    # An inactive pack is no longer sold; its orders keep working.
    active: bool = True

    def __post_init__(self) -> None:
        if not self.prices:
            raise ValueError("a package needs a price in at least one currency")

    @property
    def total_credits(self) -> int:
        return self.credits + self.bonus_credits


class TokenPackagesConfig(msgspec.Struct, forbid_unknown_fields=True):
    """`tenants.<slug>.token_packages`."""

    packages: dict[PackageId, PackageConfig]
    # The currency of an order that names none (else the pack's only currency, else a 400).
    default_currency: Currency | None = None
    expiry: Expiry = msgspec.field(default_factory=Expiry)
    refund_policy: RefundPolicy = "refuse"
    # Show Checkout's promotion code box when the order names no code.
    allow_promotion_codes: bool = True
    priority: Annotated[int, msgspec.Meta(ge=0, le=100)] = 50
    # Without an Idempotency-Key, the same refund (order, payment, amount) asked again within this
    # window answers the first one instead of refunding twice.
    refund_repeat_window_seconds: NonNegative = 600

    def __post_init__(self) -> None:
        if not self.packages:
            raise ValueError("declare at least one package")
        if self.default_currency is not None and not any(
            self.default_currency in p.prices for p in self.packages.values()
        ):
            raise ValueError(f"no package is priced in the default currency {self.default_currency!r}")

    def expiry_of(self, package: PackageConfig) -> Expiry:
        return package.expiry if package.expiry is not None else self.expiry

    def currencies(self) -> list[str]:
        return sorted({c for p in self.packages.values() if p.active for c in p.prices})


def config_of(tenant: Tenant) -> TokenPackagesConfig:
    return tenant.plugin_config(PLUGIN, TokenPackagesConfig)


# What `tollgate tenants add` writes for a new tenant: one pack, to be replaced by the real ones.
STARTER = {"packages": {"credits-1000": {"name": "1,000 credits", "credits": 1000, "prices": {"usd": 1000}}}}
