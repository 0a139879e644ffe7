"""A small HTTP/1.1 load generator for the benchmarks: N keep-alive connections, closed or open loop.

Run in its own process (`python -m tests.benchmarks.http_load ...`) so that its CPU does not
share an event loop with the server; it prints one JSON line: requests, statuses, rate, latencies.
Raw asyncio streams keep the generator's own cost per request far below an HTTP client library's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from urllib.parse import urlsplit


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes) -> int:
    """Send one request on a keep-alive connection and read its whole answer; returns the status."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    await reader.readexactly(length)
    return int(head.split(b" ", 2)[1])


# (client number, request number on that client) -> the raw HTTP/1.1 request to send
RequestFactory = Callable[[int, int], bytes]


async def drive(url: str, clients: int, seconds: float, rate: float | None, make: RequestFactory) -> dict[str, object]:
    """`clients` keep-alive connections sending `make(client, n)` for `seconds`: as fast as answered
    (closed loop), or `rate` requests per second in total (open loop). Returns rate and latencies."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    start = time.perf_counter() + 0.2
    deadline = start + seconds
    period = clients / rate if rate else 0.0

    async def client(n: int) -> None:
        reader, writer = await asyncio.open_connection(host, port)
        sent = 0
        next_at = start + (period * n / clients if period else 0)
        while True:
            if period:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                scheduled = next_at
                next_at += period
            else:
                scheduled = time.perf_counter()
            if scheduled >= deadline:
                break
            sent += 1
            status = await exchange(reader, writer, make(n, sent))
            # From the scheduled send time in open loop, so a stalled server is not hidden.
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] += 1
        writer.close()

    await asyncio.gather(*(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - start
    done = sum(statuses.values())
    return {
        "requests": done,
        "statuses": {str(k): v for k, v in statuses.items()},
        "rate": done / elapsed,
        "p50_ms": percentile(latencies, 0.50) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "p999_ms": percentile(latencies, 0.999) * 1000,
        "max_ms": max(latencies, default=0.0) * 1000,
    }


def spends(url: str, token: str, customers: list[str], amount: int) -> RequestFactory:
    """`POST /t/bench/v1/customers/<random customer>/spend` with a fresh Idempotency-Key each time."""
    parts = urlsplit(url)
    body = json.dumps({"credits": amount}).encode()
    rngs: dict[int, random.Random] = {}
    run_id = time.time_ns()

    def make(client: int, n: int) -> bytes:
        customer = rngs.setdefault(client, random.Random(client)).choice(customers)
        return (
            f"POST {parts.path}/t/bench/v1/customers/{customer}/spend HTTP/1.1\r\n"
            f"Host: {parts.hostname}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            f"Idempotency-Key: load-{run_id}-{client}-{n}\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode() + body

    return make


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--customers", required=True, help="comma-separated customer ids")
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=None, help="open loop: total requests per second")
    parser.add_argument("--amount", type=int, default=1)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    make = spends(args.url, args.token, args.customers.split(","), args.amount)
    result = asyncio.run(drive(args.url, args.clients, args.seconds, args.rate, make))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
