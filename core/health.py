"""Liveness and readiness: `/health/live` (the process answers) and `/health/ready` (its dependencies do)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Annotated, Any, ClassVar

import msgspec
from litestar import Controller, Response, get
from litestar.openapi import ResponseSpec
from sqlalchemy import text

from core.deps import RuntimeDep
from core.fields import Examples
from core.runtime import Runtime

CHECK_TIMEOUT = 3.0


class Check(msgspec.Struct):
    """One dependency's answer."""

    ok: Annotated[bool, msgspec.Meta(description="It answered in time.")]
    backend: Annotated[
        str, msgspec.Meta(description=("What answered: the database's, broker's or secrets backend's kind."))
    ]
    error: Annotated[str | None, msgspec.Meta(description="Why not; null when ok.")] = None


class Readiness(msgspec.Struct):
    """Whether this process can serve: every dependency answered (else 503)."""

    status: Annotated[str, msgspec.Meta(description="`ready` or `not_ready`.")]
    checks: Annotated[
        dict[str, Check], msgspec.Meta(description=("Each dependency's answer: `database`, `broker`, `secrets`."))
    ]

    schema_examples: ClassVar[Examples] = (
        {
            "status": "ready",
            "checks": {
                "database": {"ok": True, "backend": "postgresql"},
                "broker": {"ok": True, "backend": "redis"},
                "secrets": {"ok": True, "backend": "vault"},
            },
        },
    )


async def _check(backend: str, probe: Awaitable[Any]) -> Check:
    try:
        await asyncio.wait_for(probe, CHECK_TIMEOUT)
    except Exception as exc:  # any failure means "not ready"; the reason goes to the operator
        return Check(ok=False, backend=backend, error=f"{type(exc).__name__}: {exc}"[:300])
    return Check(ok=True, backend=backend)


async def _database(runtime: Runtime) -> None:
    async with runtime.engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


class HealthController(Controller):
    path = "/health"
    tags = ["health"]

    @get(
        "/live",
        operation_id="check_liveness",
        summary="The process is up",
        description=(
            'Answers `{"status": "ok"}` while the process runs, whatever its dependencies do: for a liveness probe '
            "(restart the process when it stops answering). Not rate limited, no credentials."
        ),
    )
    async def live(self) -> dict[str, str]:
        return {"status": "ok"}

    @get(
        "/ready",
        operation_id="check_readiness",
        summary="Database, broker and secrets backend answer",
        description=(
            "200 when the database, the job broker and the secrets backend each answer within 3 s, else 503 with "
            "the same body naming the one that did not: for a readiness probe (take the process out of the load "
            "balancer, do not restart it). Not rate limited, no credentials."
        ),
        responses={
            503: ResponseSpec(
                data_container=Readiness,
                description="A dependency did not answer in time: `status` is `not_ready`, `checks` say which.",
            )
        },
    )
    async def ready(self, runtime: RuntimeDep) -> Response[Readiness]:
        readiness = await readiness_of(runtime)
        return Response(readiness, status_code=200 if readiness.status == "ok" else 503)


async def readiness_of(runtime: Runtime) -> Readiness:
    """Ask the database, the broker and the secrets backend at once (the probe's and the console's answer)."""
    checks = dict(
        zip(
            ("database", "broker", "secrets"),
            await asyncio.gather(
                _check(runtime.engine.dialect.name, _database(runtime)),
                _check(runtime.config.jobs.broker, runtime.jobs.ping()),
                _check(runtime.secrets.backend.name, runtime.secrets.backend.check()),
            ),
            strict=True,
        )
    )
    ok = all(c.ok for c in checks.values())
    return Readiness(status="ok" if ok else "unavailable", checks=checks)
