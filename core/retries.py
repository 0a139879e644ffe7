"""Leased work rows with retries: the state machine the Stripe inbox and the notification outbox share.

A worker claims a row for a lease (two workers never work on one row at once, and a dead worker's
claim runs out), then settles it, or fails it with exponential backoff until `max_attempts` make it
`dead`. A sweeper re-sends rows whose task was lost (broker down, worker killed); operators reopen
settled or dead rows (replay).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
import re
import uuid
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Final, Generic, NamedTuple, TypeVar

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import Integer, String, Text, and_, bindparam, func, or_, select, true, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.base import ReadOnlyColumnCollection

from core import audit_trail, clock
from core.cursors import uuid_position
from core.db import TenantOwned, TenantRepository, scoped, session_scope
from core.errors import Conflict, NotFound
from core.lists import Page, PageRequest
from core.settings import RetryPolicy
from tenants.registry import Tenant

if TYPE_CHECKING:
    from core.jobs import Jobs
    from core.kernel import Kernel

PENDING: Final = "pending"
PROCESSING: Final = "processing"
FAILED: Final = "failed"
DEAD: Final = "dead"

ERROR_LIMIT = 500


class LeasedWork(TenantOwned):
    """Columns of a row that workers claim, retry and eventually settle or bury."""

    __abstract__ = True

    event_type: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # When the next attempt may start; for a pending row, when it was (re)sent to the broker.
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTimeUTC(timezone=True))
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTimeUTC(timezone=True), default=None)
    lease_token: Mapped[str | None] = mapped_column(String(32), default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


W = TypeVar("W", bound=LeasedWork)
T = TypeVar("T")


class Claim(NamedTuple):
    """A worker's hold on one row: the token proves the lease is still its own; `attempts` counts this one."""

    token: str
    attempts: int
    # The columns the claim read (`returning`), as they were when it was taken.
    row: Any = None


def retry_delay(attempts: int, policy: RetryPolicy) -> dt.timedelta:
    """Exponential backoff after the `attempts`-th failure, capped, with a little jitter."""
    seconds = min(policy.backoff_max_seconds, policy.backoff_base_seconds * 2 ** min(attempts - 1, 40))
    # Up to 10% jitter, so rows that failed together (an upstream outage) do not retry in lockstep.
    return dt.timedelta(seconds=seconds * (1 + random.random() / 10))  # noqa: S311 - not security


def describe_error(exc: BaseException) -> str:
    """What a failed or dead row keeps of its error: its type and one line of message (`KeyError: 'price'`).

    Rows are shown to tenants' admins: the traceback is for the log, where the caller writes it with the row's id.
    """
    message = str(exc).strip()
    return error_line(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


# An absolute file path (`/srv/app/core/x.py`, an OSError's filename), not a URL's path (which follows its host).
_FILE_PATH = re.compile(r"(?<![\w.:/~-])/(?:[\w.~-]+/)+[\w.~-]*")


def error_line(error: str) -> str:
    """A stored error as it may be shown: its first line, file paths masked, at most `ERROR_LIMIT` characters.

    Rows written before errors were stored as one line hold a whole traceback under their summary
    line; read through this, they show that line alone.
    """
    line = next((line.strip() for line in error.splitlines() if line.strip()), "")
    line = _FILE_PATH.sub("<path>", line)
    return line if len(line) <= ERROR_LIMIT else line[: ERROR_LIMIT - 3] + "..."


# The tenant of a cached statement, bound when it runs (`scoped()` still writes the filter).
_TENANT: Any = bindparam("tenant")


def claimable(model: type[LeasedWork] | ReadOnlyColumnCollection[str, Any], now: Any, max_attempts: Any) -> Any:
    """Rows a worker may take: pending or failed and due, or held by a worker whose lease ran out.

    `model` is a leased model, or the columns of a selection of its rows (`cte.c`).

    No IN list: the inbox's first-attempt statement, built on this, runs on the driver (`fetch_on_driver`).
    """
    return or_(
        and_(model.status == PENDING, model.next_attempt_at <= now),
        and_(model.status == FAILED, model.next_attempt_at <= now),
        and_(model.status == PROCESSING, model.locked_until <= now, model.attempts < max_attempts),
    )


@functools.cache
def _claim_statement(model: type[LeasedWork], returning: tuple[str, ...]) -> Any:
    """The claim UPDATE of `model`, built once: the worker's hot path runs it for every attempt."""
    now: Any = bindparam("now")
    return (
        scoped(update(model), model, _TENANT)
        .execution_options(synchronize_session=False)
        .where(model.id == bindparam("row_id"), claimable(model, now, bindparam("max_attempts")))
        .values(
            status=PROCESSING,
            attempts=model.attempts + 1,
            locked_until=bindparam("lease_end"),
            lease_token=bindparam("token"),
            updated_at=now,
        )
        .returning(model.attempts, *(getattr(model, name) for name in returning))
    )


@functools.cache
def _settle_statement(model: type[LeasedWork], columns: tuple[str, ...]) -> Any:
    """The UPDATE that ends an attempt (only while the lease is still the caller's), built once per shape."""
    return (
        scoped(update(model), model, _TENANT)
        .execution_options(synchronize_session=False)
        .where(model.id == bindparam("row_id"), model.lease_token == bindparam("token"), model.status == PROCESSING)
        .values(**{column: bindparam(f"new_{column}") for column in columns})
    )


class LeasedRepository(TenantRepository[W]):
    """The queries of the retry state machine, within one tenant (subclasses set `model_type`)."""

    def _update(self) -> Any:
        # Core-speed UPDATEs: nothing in the session's identity map needs to follow them.
        model = self.model_type
        return scoped(update(model), model, self.tenant_id).execution_options(synchronize_session=False)

    def _where_id(self, row_id: uuid.UUID) -> Any:
        return self._update().where(self.model_type.id == row_id)

    async def _run(self, statement: Any, params: dict[str, Any]) -> Any:
        # On the session's connection, in its transaction, but past the ORM layer: the hot path's
        # statements touch no mapped objects, and the ORM's handling doubles their cost.
        return await (await self.session.connection()).execute(statement, params)

    async def claim(
        self, row_id: uuid.UUID, *, lease_seconds: float, max_attempts: int, returning: tuple[str, ...] = ()
    ) -> Claim | None:
        """Take the row for one attempt, or None when it is settled, leased to a live worker, or not yet due.

        `returning` names columns to read in the same statement (`claim.row.<column>`).
        """
        now = clock.now()
        token = uuid.uuid4().hex
        params = {
            "tenant": self.tenant_id,
            "row_id": row_id,
            "now": now,
            "max_attempts": max_attempts,
            "lease_end": now + dt.timedelta(seconds=lease_seconds),
            "token": token,
        }
        row = (await self._run(_claim_statement(self.model_type, returning), params)).one_or_none()
        return None if row is None else Claim(token, row.attempts, row)

    async def settle(self, row_id: uuid.UUID, claim: Claim, status: str, **values: Any) -> bool:
        """End the attempt with `status`; False when the lease was lost meanwhile."""
        values = {"status": status, "locked_until": None, "lease_token": None, "updated_at": clock.now(), **values}
        statement = _settle_statement(self.model_type, tuple(values))
        params = {"tenant": self.tenant_id, "row_id": row_id, "token": claim.token}
        params.update({f"new_{column}": value for column, value in values.items()})
        return bool((await self._run(statement, params)).rowcount)

    async def fail(
        self, row_id: uuid.UUID, claim: Claim, error: str, *, max_attempts: int, policy: RetryPolicy, **values: Any
    ) -> str | None:
        """Record a failed attempt: `failed` with the next attempt after backoff, or `dead` after the last one."""
        now = clock.now()
        if claim.attempts >= max_attempts:
            status, next_at = DEAD, now
        else:
            status, next_at = FAILED, now + retry_delay(claim.attempts, policy)
        settled = await self.settle(row_id, claim, status, next_attempt_at=next_at, last_error=error, **values)
        return status if settled else None

    async def waiting(self) -> int:
        """How many rows wait for an attempt or are in one (pending, failed, processing): the backlog."""
        model = self.model_type
        statement = scoped(select(func.count()).select_from(model), model, self.tenant_id).where(
            model.status.in_((PENDING, FAILED, PROCESSING))
        )
        return int((await self.session.execute(statement)).scalar_one())

    async def resend_due(self, policy: RetryPolicy, max_attempts: int) -> list[uuid.UUID]:
        """Reopen the rows whose task was lost or whose retry is due; returns their ids, to send again.

        Lost: pending for longer than `requeue_after_seconds`, or claimed by a worker whose lease ran
        out (it died). A row whose lease ran out on its last attempt is buried instead.
        """
        model = self.model_type
        now = clock.now()
        lost = or_(
            and_(
                model.status == PENDING,
                model.next_attempt_at <= now - dt.timedelta(seconds=policy.requeue_after_seconds),
            ),
            and_(model.status == FAILED, model.next_attempt_at <= now),
            and_(model.status == PROCESSING, model.locked_until <= now),
        )
        statement = (
            scoped(select(model.id, model.status, model.attempts), model, self.tenant_id)
            .where(lost)
            .order_by(model.next_attempt_at)
            .limit(policy.sweep_batch)
            .with_for_update(skip_locked=True)
        )
        rows = (await self.session.execute(statement)).all()
        buried = {r.id for r in rows if r.status == PROCESSING and r.attempts >= max_attempts}
        reopened = [r.id for r in rows if r.id not in buried]
        if buried:
            await self.session.execute(
                self._update()
                .where(model.id.in_(buried))
                .values(
                    status=DEAD,
                    locked_until=None,
                    lease_token=None,
                    updated_at=now,
                    last_error=f"The worker's lease ran out on attempt {max_attempts} (the worker died or hung).",
                )
            )
        if reopened:
            await self.session.execute(
                self._update()
                .where(model.id.in_(reopened))
                .values(status=PENDING, next_attempt_at=now, locked_until=None, lease_token=None, updated_at=now)
            )
        return reopened

    def replayable(self) -> Any:
        """What a row must hold for a replay, besides no worker holding it (the inbox: its body is kept)."""
        return true()

    async def reopen(self, row_id: uuid.UUID) -> bool:
        """Replay: back to pending with a fresh attempt budget; False while a live worker holds the row, or
        when it is not `replayable()` (checked in the same statement as the change)."""
        model = self.model_type
        now = clock.now()
        in_flight = and_(model.status == PROCESSING, model.locked_until > now)
        statement = (
            self._where_id(row_id)
            .where(~in_flight, self.replayable())
            .values(
                status=PENDING, attempts=0, next_attempt_at=now, locked_until=None, lease_token=None, updated_at=now
            )
        )
        return bool((await self.session.execute(statement)).rowcount)  # type: ignore[attr-defined]

    async def page(
        self,
        *,
        statuses: Sequence[str] = (),
        event_type: str | None = None,
        before: uuid.UUID | None = None,
        limit: int,
    ) -> list[W]:
        """Newest first (ids are UUIDv7, so time-ordered); `before` is the last id of the previous page."""
        model = self.model_type
        statement = self.select()
        if statuses:
            statement = statement.where(model.status.in_(statuses))
        if event_type:
            statement = statement.where(model.event_type == event_type)
        if before is not None:
            statement = statement.where(model.id < before)
        statement = statement.order_by(model.id.desc()).limit(limit)
        return list((await self.session.execute(statement)).scalars())

    async def by_id(self, row_id: uuid.UUID) -> W | None:
        return (await self.session.execute(self.select().where(self.model_type.id == row_id))).scalar_one_or_none()


def parse_row_id(ref: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(ref)
    except ValueError:
        return None


class LeasedService(Generic[W]):
    """What operators do with one tenant's rows: list them, read one, replay one."""

    repository_type: ClassVar[type[LeasedRepository[Any]]]
    task_name: ClassVar[str]
    # The task's keyword for the row id, and the noun in error codes (`<noun>_not_found`).
    id_kwarg: ClassVar[str]
    noun: ClassVar[str]

    def __init__(self, session: AsyncSession, tenant: Tenant, jobs: Jobs) -> None:
        self.session = session
        self.tenant = tenant
        self.jobs = jobs
        self.repo: LeasedRepository[W] = self.repository_type(session=session, tenant_id=tenant.slug)

    async def page(
        self, page: PageRequest, show: Callable[[W], T], *, status: str | None, event_type: str | None
    ) -> Page[T]:
        """A page of rows, newest first, each shown by `show`."""
        rows = await self.repo.page(
            statuses=[status] if status else [],
            event_type=event_type,
            before=page.position(self.noun, uuid_position),
            limit=page.fetch,
        )
        return page.page(rows, self.noun, lambda row: row.id, (show(row) for row in rows[: page.limit]))

    async def find(self, ref: str) -> W | None:
        row_id = parse_row_id(ref)
        return None if row_id is None else await self.repo.by_id(row_id)

    async def get(self, ref: str) -> W:
        row = await self.find(ref)
        if row is None:
            raise NotFound(f"No {self.noun.replace('_', ' ')} {ref!r} for this tenant.", code=f"{self.noun}_not_found")
        return row

    async def replay(self, ref: str) -> W:
        """Reopen the row with a fresh attempt budget and send it to a worker once this commits (audited)."""
        row = await self.get(ref)
        before = {"status": row.status, "attempts": row.attempts}
        if not await self.repo.reopen(row.id):
            raise Conflict(
                f"This {self.noun.replace('_', ' ')} is being worked on right now; try again when it settles.",
                code=f"{self.noun}_in_progress",
            )
        await self.session.refresh(row)
        await audit_trail.record(
            self.session,
            self.tenant.slug,
            f"{self.noun}.replay",
            f"{self.noun}:{row.id}",
            before=before,
            after={"status": row.status, "attempts": row.attempts},
        )
        self.jobs.enqueue(self.session, self.task_name, tenant=self.tenant.slug, **{self.id_kwarg: str(row.id)})
        return row


async def waiting_by_tenant(runtime: Kernel, service: type[LeasedService[Any]]) -> dict[str, int]:
    """Each tenant's backlog of `service`'s rows (`LeasedRepository.waiting`), for the metrics."""
    async with session_scope(runtime.sessions) as session:
        return {
            tenant.slug: await service.repository_type(session=session, tenant_id=tenant.slug).waiting()
            for tenant in runtime.tenants
        }


async def resend_lost(
    runtime: Kernel, service: type[LeasedService[Any]], policy: RetryPolicy, max_attempts: Callable[[Tenant], int]
) -> int:
    """The sweeper: for every tenant, reopen rows whose task was lost or whose retry is due, and send them."""
    total = 0
    for tenant in runtime.tenants:
        async with session_scope(runtime.sessions) as session:
            repo = service.repository_type(session=session, tenant_id=tenant.slug)
            row_ids = await repo.resend_due(policy, max_attempts(tenant))
            for row_id in row_ids:
                runtime.jobs.enqueue(session, service.task_name, tenant=tenant.slug, **{service.id_kwarg: str(row_id)})
        total += len(row_ids)
    return total
