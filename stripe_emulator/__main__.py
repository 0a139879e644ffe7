"""Run the emulator alone: `python -m stripe_emulator --port 12111`."""

from __future__ import annotations

import argparse
import logging
import re
import socket
import sys
from pathlib import Path

import uvicorn

from .accounts import Emulator
from .app import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m stripe_emulator",
        description="A Stripe API emulator speaking today's API shapes (test mode only).",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111,
                        help="0 picks a free port (printed, and written to --ready-file)")
    parser.add_argument("--account", action="append", default=[], metavar="API_KEY",
                        help="create an account for this key at start-up (repeatable)")
    parser.add_argument("--auto-accounts", metavar="REGEX",
                        help="create an account on first use for any key matching REGEX, "
                        r"e.g. 'sk_test_.*'")
    parser.add_argument("--ready-file", type=Path,
                        help="write the base URL here once listening")
    parser.add_argument("--log-level", default="info",
                        choices=("debug", "info", "warning", "error"))
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stdout,
    )
    emulator = Emulator(
        auto_key_pattern=re.compile(args.auto_accounts) if args.auto_accounts else None
    )
    for key in args.account:
        emulator.create_account(key)
    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(128)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    url = f"http://{host}:{port}"
    logging.getLogger("stripe_emulator").info("listening on %s", url)
    if args.ready_file:
        args.ready_file.write_text(url)
    config = uvicorn.Config(
        create_app(emulator),
        log_level="warning",
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=1,
    )
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
