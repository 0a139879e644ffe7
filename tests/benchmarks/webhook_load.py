"""Stripe deliveries as fast as a server takes them: N keep-alive connections posting signed events.

Run in its own process (`python -m tests.benchmarks.webhook_load ...`); prints one JSON line with the
requests made, their statuses, the rate and latency percentiles (the driver of `http_load`). Every
request is a fresh event (a new id in a template body), signed the way Stripe signs, so each one is
verified, stored and enqueued.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

from tests.benchmarks.http_load import RequestFactory, drive

MARK = b"evt_BENCHMARK_PLACEHOLDER_0000000"


def deliveries(url: str, template: bytes, secret: bytes) -> RequestFactory:
    """`POST <url>` of the template with a fresh event id, signed like Stripe (`t=...,v1=...`)."""
    parts = urlsplit(url)
    run_id = time.time_ns() % 10**8

    def make(client: int, n: int) -> bytes:
        event_id = f"evt_{run_id:08d}{client:04d}{n:09d}".encode().ljust(len(MARK), b"x")
        body = template.replace(MARK, event_id)
        timestamp = int(time.time())
        digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
        return (
            f"POST {parts.path} HTTP/1.1\r\nHost: {parts.hostname}\r\nContent-Type: application/json\r\n"
            f"Stripe-Signature: t={timestamp},v1={digest}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="the tenant's webhook URL")
    parser.add_argument("--template", required=True, type=Path, help=f"an event body containing {MARK.decode()}")
    parser.add_argument("--secret", required=True)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=None, help="open loop: total requests per second")
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    make = deliveries(args.url, args.template.read_bytes(), args.secret.encode())
    result = asyncio.run(drive(args.url, args.clients, args.seconds, args.rate, make))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
