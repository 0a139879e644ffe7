"""The packs a tenant has on sale and their prices per currency, from its settings (no database, no Stripe)."""

from __future__ import annotations

from core.errors import BadRequest
from plugins.token_packages import pricing, schemas
from plugins.token_packages.config import PackageConfig, config_of
from tenants.registry import Tenant


class PackageCatalog:
    """The packs a tenant has on sale, from its settings (no database, no Stripe)."""

    def __init__(self, tenant: Tenant) -> None:
        self.config = config_of(tenant)

    def listing(self, currency: str | None) -> schemas.PackageList:
        """Active packs with their prices; with `currency`, only the packs sold in it (400 when none are)."""
        wanted = self._known_currency(currency) if currency else None
        listed = []
        for package_id, package in self.config.packages.items():
            if not package.active or (wanted and wanted not in package.prices):
                continue
            expiry = self.config.expiry_of(package)
            listed.append(
                schemas.Package(
                    id=package_id,
                    name=package.name,
                    description=package.description,
                    credits=package.credits,
                    bonus_credits=package.bonus_credits,
                    total_credits=package.total_credits,
                    interval=package.interval,
                    expires_after=None if expiry.never else expiry,
                    prices=[
                        schemas.PackagePrice(
                            currency=code,
                            amount=amount,
                            display_amount=pricing.display_amount(amount, code),
                            unit_price=pricing.unit_price(amount, package.total_credits, code),
                        )
                        for code, amount in sorted(package.prices.items())
                        if wanted is None or code == wanted
                    ],
                )
            )
        return schemas.PackageList(
            data=listed,
            has_more=False,
            next_cursor=None,
            currencies=self.config.currencies(),
            default_currency=self.config.default_currency,
        )

    def _known_currency(self, currency: str) -> str:
        code = currency.lower()
        if code not in self.config.currencies():
            raise BadRequest(
                f"No package is sold in {currency!r}.",
                code="unsupported_currency",
                detail={"currencies": self.config.currencies()},
            )
        return code

    def package(self, package_id: str) -> PackageConfig:
        package = self.config.packages.get(package_id)
        if package is None or not package.active:
            raise BadRequest(
                f"No package {package_id!r} is on sale.",
                code="unknown_package",
                detail={"packages": [k for k, p in self.config.packages.items() if p.active]},
            )
        return package

    def currency_for(self, package: PackageConfig, asked: str | None) -> str:
        """The asked currency if the pack is sold in it; else the default, or the pack's only one; else 400."""
        if asked is None:
            default = self.config.default_currency
            if default is not None and default in package.prices:
                return default
            if len(package.prices) == 1:
                return next(iter(package.prices))
            raise BadRequest(
                "Say which `currency` to pay in.",
                code="currency_required",
                detail={"currencies": sorted(package.prices)},
            )
        code = asked.lower()
        if code not in package.prices:
            raise BadRequest(
                f"This package is not sold in {asked!r}.",
                code="unsupported_currency",
                detail={"currencies": sorted(package.prices)},
            )
        return code
