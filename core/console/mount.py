"""The console as the app mounts it: one router at `/console` (left out of the OpenAPI document: HTML, not
API), its templates and static files from the package, and the key that signs its sessions."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.config.app import AppConfig
from litestar.di import Provide
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig
from litestar.types import ControllerRouterHandler

from core.console import controllers
from core.console.controllers import PREFIX, ConsoleError, SignInNeeded
from core.console.headers import security_headers
from core.console.session import Signer
from core.console.signin import Throttle
from core.runtime import Runtime

logger = logging.getLogger("tollgate.console")
HERE = Path(__file__).resolve().parent


def _signed_out(request: Request[Any, Any, Any], _: SignInNeeded) -> Response[Any]:
    return Redirect(f"{PREFIX}/sign-in", status_code=303)


def _refused(request: Request[Any, Any, Any], error: ConsoleError) -> Response[Any]:
    return Template("error.html", context={"message": error.message, "status": error.status}, status_code=error.status)


def mount(app_config: AppConfig, runtime: Runtime) -> None:
    """Add the console's router, templates and signer to the app (nothing when `console.enabled` is false)."""
    config = runtime.config.console
    if not config.enabled:
        return
    if config.session_secret is None and runtime.config.env == "production":
        logger.warning("console.session_secret is unset: each process signs its own sessions (docs/console.md)")
    app_config.state["console_signer"] = Signer(config.session_secret)
    app_config.state["console_throttle"] = Throttle()
    app_config.template_config = TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine)
    handlers: list[ControllerRouterHandler] = [
        controllers.home,
        controllers.sign_in_form,
        controllers.sign_in_submit,
        controllers.sign_out,
        controllers.overview_page,
        controllers.customers_page,
        controllers.customer_page,
        controllers.leased_page,
        controllers.replay_confirm,
        controllers.replay_submit,
        controllers.deployment_page,
        create_static_files_router(path="/static", directories=[HERE / "static"], include_in_schema=False),
    ]
    app_config.route_handlers.append(
        Router(
            path=PREFIX,
            route_handlers=handlers,
            include_in_schema=False,
            dependencies={"viewer": Provide(controllers.provide_viewer)},
            middleware=[security_headers],
            exception_handlers={SignInNeeded: _signed_out, ConsoleError: _refused},  # type: ignore[dict-item]
        )
    )
