"""`python -m demo`: the five reference tenants on one deployment, each app's main scenario walked over HTTP.

`--stripe emulator` (default) runs offline against the Stripe emulator and exits 0 when every step
held. `--stripe real` uses the tenants' own test keys from the secrets and stops cleanly where a person
must pay in Checkout. `--json PATH` also writes the summary as JSON.

`--serve` (`make demo SERVE=1`) keeps the deployment running after the walk, with the walk's data, and
prints the console's URL and the keys to sign in with, until Ctrl-C.

`--tollgate URL --emulator URL` walks a deployment already running (docs/deploy.md) instead of starting
one: its Stripe accounts are the emulator's at URL, its tenants are connected (`tollgate stripe connect`)
and its settings send the tenant apps' notices to `--notifications-port`, where the walk listens.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console

from core import clock
from core.logs import configure_from_settings
from demo.scenarios import SCENARIOS
from demo.summary import render, snapshot
from demo.world import Deployed, Mode, PersonMustAct, StepFailed, World, open_world


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="The five reference tenants on one Tollgate deployment, each app's main scenario walked over HTTP.",
    )
    parser.add_argument(
        "--stripe",
        choices=("emulator", "real"),
        default="emulator",
        help="emulator: offline, every step runs; real: the secrets' test keys, up to the first Checkout page",
    )
    parser.add_argument(
        "--serve",
        action="store_true",
        help="after the walk, keep serving (the console at /console/) until interrupted",
    )
    parser.add_argument(
        "--json", type=Path, default=None, metavar="PATH", help="also write the summary as JSON to this file"
    )
    deployed = parser.add_argument_group("a running deployment (docs/deploy.md) instead of an embedded one")
    deployed.add_argument("--tollgate", metavar="URL", help="the deployment's public URL")
    deployed.add_argument("--emulator", metavar="URL", help="the Stripe emulator the deployment's tenants use")
    deployed.add_argument(
        "--notifications-port", type=int, metavar="PORT", help="where the deployment sends the tenant apps' notices"
    )
    deployed.add_argument(
        "--clock-file", type=Path, metavar="PATH", help="the clock file the deployment shares (TOLLGATE_SHARED_CLOCK)"
    )
    args = parser.parse_args(argv)
    given = [args.tollgate, args.emulator, args.notifications_port, args.clock_file]
    if any(given) and not all(given):
        parser.error("--tollgate, --emulator, --notifications-port and --clock-file go together")
    if args.tollgate and args.stripe != "emulator":
        parser.error("a running deployment is walked against the emulator only")
    if args.serve and args.tollgate:
        parser.error("--serve keeps the embedded deployment running; a deployment given by --tollgate already runs")
    return args


# The demo's deployment operator key (`.secrets.toml` holds its hash as `console.operator_key_hash`).
OPERATOR_KEY = "tg_operator"


async def walk(
    mode: Mode, console: Console, deployed: Deployed | None = None, *, serve: bool = False
) -> tuple[int, dict[str, Any]]:
    """Walk every tenant; (exit code, summary). With `serve`, keep the deployment running afterwards."""
    summary: dict[str, Any] = {"mode": mode, "tenants": {}, "stopped": None, "failure": None}
    try:
        async with open_world(mode, console, deployed) as world:
            for slug, scenario in SCENARIOS:
                console.rule(f"[bold]{world.runtime.tenants.get(slug).name}[/] ({slug})")
                done = await scenario(world)
                summary["tenants"][slug] = await snapshot(world, done)
            console.rule("[bold]Summary[/]")
            for slug, tenant in summary["tenants"].items():
                render(console, slug, tenant)
            if deployed is None:
                summary["ledger"] = await verify_ledger(world)
            if serve:
                await keep_serving(world)
    except PersonMustAct as stop:
        summary["stopped"] = {"tenant": stop.slug, "action": stop.action, "url": stop.url}
        console.print(f"\n[bold yellow]Stopped[/]: {stop.slug}: {stop.action}" + (":" if stop.url else "."))
        if stop.url:
            console.print(f"  {stop.url}", soft_wrap=True)
        console.print(
            "The walk goes on from here only once that payment is made (and Stripe's events reach Tollgate, "
            "e.g. with `stripe listen`). `make demo` runs every step offline against the Stripe emulator."
        )
        return 0, summary
    except StepFailed as failure:
        summary["failure"] = str(failure)
        console.print(f"\n[bold red]✗ The demo failed[/]: {failure}")
        return 1, summary
    finally:
        if deployed is None:
            # A deployment's shared clock stays where its Stripe accounts are.
            clock.reset()
    return 0, summary


async def verify_ledger(world: World) -> dict[str, Any]:
    """`tollgate ledger verify` over the walk's database: every invariant of every account, or the demo fails.

    A deployment walked from outside keeps its database to itself (run the command there).
    """
    from core.ledger.sources import grant_sources
    from core.ledger.verify import verify_ledger as verify

    report = await verify(world.runtime.engine, sources=grant_sources(world.runtime.plugins))
    counts = f"{report.accounts} accounts, {report.grants} grants, {report.entries} entries"
    if not report.clean:
        for violation in report.first(10):
            world.console.print(f"  ✗ {violation.line()}", markup=False, highlight=False)
        broken = ", ".join(f"{name} {n}" for name, n in report.counts.items() if n)
        raise StepFailed(f"ledger verify: {broken} ({counts})")
    world.console.print(f"[bold green]✓ Ledger verified[/]: every invariant holds over {counts}.")
    return {"accounts": report.accounts, "grants": report.grants, "entries": report.entries, "violations": 0}


async def keep_serving(world: World) -> None:
    """Say where the console is and which keys sign in to it, then serve until Ctrl-C or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    slugs = ", ".join(world.runtime.tenants.slugs())
    world.console.print(
        f"\n[bold green]Serving[/] the walk's deployment. The console: [bold]{world.base_url}/console/[/]\n"
        f"  sign in with the operator key [bold]{OPERATOR_KEY}[/] (every tenant and the deployment view),\n"
        f"  or a tenant's demo admin key, tg_<tenant>_admin ({slugs}).\n"
        f"  The API is at {world.base_url}/t/<tenant>/v1 (docs at {world.base_url}/schema). Ctrl-C stops it.",
        soft_wrap=True,
    )
    await stop.wait()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.remove_signal_handler(signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # The narration is the output: log lines only from WARNING, unless the settings (or
    # TOLLGATE_LOGGING__LEVEL) say otherwise.
    configure_from_settings("development", default_level="WARNING")
    logging.getLogger("taskiq").setLevel(logging.WARNING)
    console = Console()
    started = time.monotonic()
    deployed = None
    if args.tollgate:
        deployed = Deployed(args.tollgate.rstrip("/"), args.emulator.rstrip("/"), args.notifications_port)
        clock.share(args.clock_file)
    code, summary = asyncio.run(walk(args.stripe, console, deployed, serve=args.serve))
    summary["seconds"] = round(time.monotonic() - started, 1)
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    if code == 0 and summary["stopped"] is None:
        console.print(f"[bold green]✓ Five tenants walked[/] in {summary['seconds']} s on one deployment.")
        if not args.serve and deployed is None:
            console.print(
                f"To look at it in the console, run `make demo SERVE=1` and sign in at /console/ with the operator "
                f"key {OPERATOR_KEY} (or a tenant's admin key, tg_<tenant>_admin)."
            )
    return code


if __name__ == "__main__":
    sys.exit(main())
