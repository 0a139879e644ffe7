"""`make run`: the API on the embedded defaults, with the Stripe emulator standing in for Stripe.

Offline by default, as the design's embedded shape says: the emulator starts beside the API with one
account per tenant key from the secrets; each tenant's plan prices (and QuickScale's products with
their credit metadata) are set up there as its operator would, and its webhook endpoint is registered
with its webhook secret. Checkout and portal URLs open the emulator's own pages: pay there and the
signed events come back to Tollgate. `make run STRIPE=real` serves against Stripe with the secrets' keys.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import functools
import signal
import tempfile
from pathlib import Path
from typing import Any

import uvicorn
from rich.console import Console

from core.app import create_app
from core.migrate import upgrade
from core.runtime import Runtime
from core.settings import load_dynaconf, to_plain
from demo.catalog import QUICKSCALE_PRODUCTS, dashboard_catalog, plan_prices
from demo.world import EmulatorProcess

console = Console()
DASHBOARD_PRODUCTS = {"quickscale": QUICKSCALE_PRODUCTS}


async def serve(host: str | None, port: int | None, stop: asyncio.Event | None = None) -> None:
    """Serve until interrupted (or until `stop` is set: the tests)."""
    settings = load_dynaconf()
    documents: dict[str, Any] = copy.deepcopy(to_plain(settings.get("tenant_secrets")) or {})
    keys = sorted({str(d["stripe_secret_key"]) for d in documents.values() if d.get("stripe_secret_key")})
    with tempfile.TemporaryDirectory(prefix="tollgate-stripe-") as scratch:
        emulator = await EmulatorProcess.start(keys, Path(scratch))
        try:
            runtime = Runtime.build(
                overrides={"stripe": {"api_base": emulator.url, "max_network_retries": 2}, "tenant_secrets": documents}
            )
            for tenant in runtime.tenants:
                if tenant.slug in documents:
                    document = runtime.config.tenant_secrets[tenant.slug]
                    document["prices"] = {**document.get("prices", {}), **await plan_prices(runtime, tenant.slug)}
                    runtime.secrets.invalidate(tenant.slug)
            host = host or runtime.config.server.host
            port = port or runtime.config.server.port
            console.print(f"[bold]Migrating[/] {runtime.config.database.url} ...")
            await asyncio.to_thread(upgrade, runtime.config.database.url)
            app = create_app(runtime)
            started = asyncio.Event()
            app.on_startup.append(started.set)
            server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="info"))
            serving = asyncio.create_task(server.serve())
            await asyncio.wait([serving, asyncio.create_task(started.wait())], return_when=asyncio.FIRST_COMPLETED)
            if serving.done():
                return await serving
            await _connect_stripe(emulator, runtime, documents, f"http://{host}:{port}")
            console.print(
                f"[bold green]Tollgate[/] on http://{host}:{port} (docs at /schema; tenants: "
                f"{', '.join(runtime.tenants.slugs())})\n"
                f"[bold]Stripe[/] is the emulator on {emulator.url}: Checkout URLs open its pay page and its "
                "signed events come back here. `make run STRIPE=real` uses Stripe itself."
            )
            if stop is not None:
                await asyncio.wait([serving, asyncio.create_task(stop.wait())], return_when=asyncio.FIRST_COMPLETED)
                server.should_exit = True
            await serving
        finally:
            await emulator.stop()


async def _connect_stripe(emulator: EmulatorProcess, runtime: Runtime, documents: dict[str, Any], base: str) -> None:
    """Each tenant's account posts its events to Tollgate; QuickScale's products appear in its dashboard."""
    for tenant in runtime.tenants:
        secrets = documents.get(tenant.slug, {})
        if secrets.get("stripe_secret_key") and secrets.get("stripe_webhook_secrets"):
            await emulator.control.register_webhook(
                secrets["stripe_secret_key"],
                f"{base}/t/{tenant.slug}/webhooks/stripe",
                secret=secrets["stripe_webhook_secrets"][0],
            )
    for slug, products in DASHBOARD_PRODUCTS.items():
        if slug in documents:
            key = documents[slug]["stripe_secret_key"]
            await dashboard_catalog(functools.partial(emulator.control.dashboard_product, key, "create"), products)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m demo.serve", description=__doc__)
    parser.add_argument("--host", default=None, help="bind address (settings: server.host)")
    parser.add_argument("--port", type=int, default=None, help="port (settings: server.port)")
    args = parser.parse_args()
    # `kill` (SIGTERM) stops it as Ctrl-C does, the emulator with it: uvicorn hands a signal it caught
    # on once it has shut down, and SIGTERM's default action would end the process before the cleanup.
    signal.signal(signal.SIGTERM, _interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.host, args.port))


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    main()
