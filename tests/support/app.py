"""Running the app in tests, in the test's own event loop: in-process (ASGI) or as a live server."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import uvicorn
from litestar import Litestar

from tests.support.services import free_port


@contextlib.asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    """The app's start-up and shut-down, held by one task (anyio scopes must exit where they entered)."""
    started, stop = asyncio.Event(), asyncio.Event()
    failure: list[BaseException] = []

    async def hold() -> None:
        try:
            async with app.lifespan():
                started.set()
                await stop.wait()
        except BaseException as exc:
            failure.append(exc)
            started.set()

    task = asyncio.create_task(hold())
    await started.wait()
    if failure:
        raise failure[0]
    try:
        yield
    finally:
        stop.set()
        await task


@contextlib.asynccontextmanager
async def asgi_client(app: Litestar, **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://tollgate.test", **kwargs) as http,
    ):
        yield http


@contextlib.asynccontextmanager
async def live_server(app: Any, port: int | None = None, **options: Any) -> AsyncIterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 inside this loop (`options`: more of uvicorn's); yields the base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
