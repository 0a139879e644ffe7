"""The payg plugin's hook implementations: routes, event handlers, settings validation, tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from core.hookspecs import EventHandler, hookimpl


@hookimpl
def tollgate_route_handlers() -> Sequence[Any]:
    from plugins.payg.controllers import CreditPurchaseController, credit_prices

    return [credit_prices, CreditPurchaseController]


@hookimpl
def tollgate_webhook_handlers() -> Mapping[str, EventHandler]:
    from plugins.payg.webhooks import HANDLERS

    return HANDLERS


@hookimpl
def tollgate_settings_validators(tenant: str, key: str) -> Sequence[Any]:
    from core.settings import StructValidator
    from plugins.payg.schemas import PaygConfig

    return [StructValidator(key, PaygConfig)]


@hookimpl
def tollgate_models() -> Sequence[type]:
    from plugins.payg.models import CreditPurchase

    return [CreditPurchase]


@hookimpl
def tollgate_admin_figures(tenant: Any, session: Any, since: Any, until: Any) -> Any:
    from plugins.payg.figures import payg_figures

    return payg_figures(session, tenant, since, until)


@hookimpl
def tollgate_migrations() -> Path:
    from core.migrate import versions_in

    return versions_in("plugins.payg")
