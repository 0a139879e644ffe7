"""Storage: the engine and sessions, the base model, and the tenant-scoped repository base.

Every tenant-owned table carries `tenant_id` (the tenant's slug) and every query on it goes
through `scoped()` — the one place the tenant filter is written — usually via `TenantRepository`.
Services flush; the request or the task commits (`session_scope`), and jobs queued with
`after_commit` run only once the commit has succeeded.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Generic, NamedTuple, TypeVar

import msgspec
from advanced_alchemy.base import UUIDv7AuditBase, orm_registry
from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from sqlalchemy import JSON, String, Table, TextualSelect, bindparam, event, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_scoped_session,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.attributes import manager_of_class
from sqlalchemy.sql import ClauseElement, Select
from sqlalchemy.sql.base import ReadOnlyColumnCollection
from sqlalchemy.util import greenlet_spawn

from core import tracing
from core.settings import DatabaseConfig

logger = logging.getLogger("tollgate.db")

metadata = orm_registry.metadata


class Base(UUIDv7AuditBase):
    """Base for Tollgate's tables: UUIDv7 id, created_at/updated_at (UTC)."""

    __abstract__ = True


class TenantOwned(Base):
    """A row that belongs to one tenant."""

    __abstract__ = True

    @declared_attr
    def tenant_id(cls) -> Mapped[str]:  # noqa: N805 - SQLAlchemy declared_attr takes the class
        return mapped_column(String(64), nullable=False)


M = TypeVar("M", bound=TenantOwned)
S = TypeVar("S", bound=Any)
T = TypeVar("T")


def attribute_columns(model: type[Any]) -> list[tuple[str, Any]]:
    """(ORM attribute name, column) of each mapped column, in the model's order (`metadata_` is `metadata`)."""
    return [(prop.key, prop.columns[0]) for prop in model.__mapper__.column_attrs]


class RowOf(Generic[M]):
    """Instances of `model` from a driver row's columns (in `attribute_columns` order), for reading only.

    Made without the model's constructor, whose attribute events and validators cost ~30 µs an
    instance (a tenth of a hot read): the values go straight into the instance's state. JSON that the
    driver hands as text is decoded. Not for a session: nothing is loaded, nothing will be flushed.
    """

    def __init__(self, model: type[M]) -> None:
        self.manager = manager_of_class(model)
        self.attributes, self.columns = zip(*attribute_columns(model), strict=True)
        self.json = frozenset(a for a, c in zip(self.attributes, self.columns, strict=True) if isinstance(c.type, JSON))

    def __call__(self, values: Sequence[Any]) -> M:
        fields = dict(zip(self.attributes, values, strict=True))
        for name in self.json:
            if isinstance(fields[name], str | bytes):
                fields[name] = msgspec.json.decode(fields[name])
        instance: M = self.manager.new_instance()
        instance.__dict__.update(fields)
        return instance


def scoped(statement: S, model: type[TenantOwned] | ReadOnlyColumnCollection[str, Any], tenant_id: str) -> S:
    """Restrict a SELECT/UPDATE/DELETE on a tenant-owned model to one tenant. The only tenant filter.

    `model` may be the columns of a selection of a tenant-owned table (`cte.c`), for a statement that
    checks the tenant on rows it found by another way (the inbox's batch, by primary key).
    """
    scoped_statement: S = statement.where(model.tenant_id == tenant_id)
    return scoped_statement


class TenantRepository(SQLAlchemyAsyncRepository[M], Generic[M]):
    """advanced-alchemy's repository, pinned to one tenant.

    Reads start from a tenant-scoped statement; writes stamp or check `tenant_id`. The bulk
    operations that would bypass the scope are refused: write a scoped query instead.
    """

    def __init__(self, *, session: AsyncSession, tenant_id: str, **kwargs: Any) -> None:
        self.tenant_id = tenant_id
        super().__init__(session=session, statement=self.select(), **kwargs)

    def select(self) -> Select[tuple[M]]:
        return _tenant_select(self.model_type, self.tenant_id)

    def _own(self, item: M) -> M:
        current = getattr(item, "tenant_id", None)
        if current is None:
            item.tenant_id = self.tenant_id
        elif current != self.tenant_id:
            raise PermissionError(
                f"{self.model_type.__name__} of tenant {current!r} written through {self.tenant_id!r}"
            )
        return item

    async def add(self, data: M, *args: Any, **kwargs: Any) -> M:
        return await super().add(self._own(data), *args, **kwargs)

    async def add_many(self, data: list[M], *args: Any, **kwargs: Any) -> Sequence[M]:
        return await super().add_many([self._own(d) for d in data], *args, **kwargs)

    async def update(self, data: M, *args: Any, **kwargs: Any) -> M:
        return await super().update(self._own(data), *args, **kwargs)

    async def upsert(self, data: M, *args: Any, **kwargs: Any) -> M:
        return await super().upsert(self._own(data), *args, **kwargs)

    def _refuse(self, *_: Any, **__: Any) -> Any:
        raise NotImplementedError("bulk operations bypass the tenant scope; write a scoped() query")

    delete_many = _refuse  # type: ignore[assignment]
    update_many = _refuse  # type: ignore[assignment]
    upsert_many = _refuse  # type: ignore[assignment]
    delete_where = _refuse  # type: ignore[assignment]


@functools.lru_cache(maxsize=4096)
def _tenant_select(model: type[Any], tenant_id: str) -> Select[Any]:
    """`SELECT model` of one tenant's rows, built once: statements are immutable, and a repository is
    made per request (building its statement cost as much as running a simple query)."""
    from sqlalchemy import select

    return scoped(select(model), model, tenant_id)


def insert_for(session: AsyncSession | async_scoped_session[AsyncSession], model: type[Any]) -> Any:
    """An INSERT for `model` in the session's dialect, so `on_conflict_do_*` works on PostgreSQL and SQLite."""
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(model)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(model)


@functools.cache
def conflict_insert(
    table: Table,
    columns: tuple[str, ...],
    conflict: tuple[str, ...],
    update: tuple[str, ...] = (),
    only_if: str | None = None,
) -> TextualSelect:
    """`INSERT ... ON CONFLICT` as a typed text statement, built once, returning the written row's `id`.

    SQLAlchemy 2.0 never caches its dialects' `insert().on_conflict_*()` statements (sqlalchemy#10445)
    and compiles them on every execution: on a hot path (Stripe's webhook ingest) that is a third of
    the work. PostgreSQL and SQLite both speak this SQL. Without `update` a conflicting row is left
    alone; with it, those columns take the new values when `only_if` (SQL over the table and
    `excluded`) holds. Execute with every column in `columns` as a parameter (`id` included: column
    defaults do not apply here).
    """
    names = [table.c[name].name for name in (*columns, *conflict, *update)]  # only the table's own columns
    assert names, "an INSERT needs columns"
    action = "NOTHING"
    if update:
        action = "UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in update)
        action += f" WHERE {only_if}" if only_if else ""
    # Identifiers are the table's own columns (checked above); every value is a bound parameter.
    sql = (
        f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join(':' + c for c in columns)}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(conflict)}) DO {action} RETURNING id"
    )
    return text(sql).bindparams(*(bindparam(c, type_=table.c[c].type) for c in columns)).columns(table.c.id)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(config: DatabaseConfig) -> AsyncEngine:
    if is_sqlite(config.url):
        engine = create_async_engine(config.url, echo=config.echo, connect_args={"timeout": 30})
        _sqlite_write_transactions(engine)
        return engine
    engine = create_async_engine(
        config.url, echo=config.echo, pool_size=config.pool_size, max_overflow=config.max_overflow
    )
    _ping_when_idle(engine)
    return engine


# A pooled connection idle for longer than this is pinged before use; one returned more recently is not.
PING_AFTER_IDLE_SECONDS = 5.0


def _ping_when_idle(engine: AsyncEngine) -> None:
    """Pessimistic disconnect handling, for connections that sat idle: SQLAlchemy's `pool_pre_ping`
    pings on every checkout (BEGIN, `;`, ROLLBACK through asyncpg: three round trips per request).
    A connection that was in use a moment ago is alive; a dead one found in use is invalidated by
    SQLAlchemy (the whole pool with it, on a disconnect) and the request fails once."""

    @event.listens_for(engine.sync_engine, "checkin")
    def _on_checkin(_: Any, record: Any) -> None:
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _on_checkout(dbapi_connection: Any, record: Any, _: Any) -> None:
        returned = record.info.get("checked_in_at")
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dbapi_connection.ping()
        except Exception as error:
            # The pool replaces the connection and tries again (sqlalchemy.exc.DisconnectionError).
            raise DisconnectionError() from error


def _sqlite_write_transactions(engine: AsyncEngine) -> None:
    """SQLite: WAL, a busy timeout, and BEGIN IMMEDIATE so concurrent writers queue instead of failing."""

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


AfterCommit = Callable[[], Awaitable[None]]


def after_commit(session: AsyncSession, job: AfterCommit) -> None:
    """Run `job` once this session's transaction has committed (never on rollback)."""
    session.info.setdefault("after_commit", []).append(job)


async def commit(session: AsyncSession) -> None:
    """Commit, then run the after-commit jobs. A failing job is logged, never undoes the commit."""
    await session.commit()
    jobs: list[AfterCommit] = session.info.pop("after_commit", [])
    for job in jobs:
        try:
            await job()
        except Exception:
            # The row that asked for the job is committed; the sweeper picks it up later.
            logger.exception("after-commit job failed")


async def rollback(session: AsyncSession) -> None:
    session.info.pop("after_commit", None)
    await session.rollback()


@asynccontextmanager
async def pinned_session(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[AsyncSession]:
    """A session whose transactions all run on one pooled connection: one checkout for several commits.

    The caller commits (`commit`) or rolls back (`rollback`) each transaction itself.
    """
    async with engine.connect() as connection, sessions(bind=connection) as session:
        yield session


@asynccontextmanager
async def driver_connection(engine: AsyncEngine) -> AsyncIterator[Any]:
    """A pooled connection's own driver connection (asyncpg), for hot paths that batch their writes.

    Statements run outside any transaction (each is its own). An error raised by the driver was not
    seen by SQLAlchemy, which would pool a possibly broken connection again: the connection is dropped
    instead, and the next checkout opens a fresh one.
    """
    # Statements on the driver are unseen by the SQLAlchemy instrumentation: one span for the connection's use.
    # The pool's connection itself, without a Connection around it: no Connection events, no transaction
    # bookkeeping, a third of the CPU of `engine.connect()` for a read (the pool's own checkout and
    # checkin events, the ping of a connection that sat idle among them, still run).
    with tracing.span("db.driver", **{"db.system": "postgresql"}):
        pooled = await greenlet_spawn(engine.sync_engine.raw_connection)
        try:
            yield pooled.driver_connection
        except BaseException:
            await greenlet_spawn(pooled.invalidate)  # closes it and hands its slot back to the pool
            raise
        await greenlet_spawn(pooled.close)


class HeldConnection:
    """One pooled driver connection kept checked out, for a hot path that runs one call at a time.

    A group commit's flush (the spend path's) makes one call after another. Checking a connection
    out of the pool and back in for each call (`driver_connection`) costs about as much Python as
    the rest of the call: the greenlet hop into the pool, its events, and the ping check. `use()`
    hands out the held connection instead. It checks one out on first use. It pings the connection
    when the connection has sat unused for `PING_AFTER_IDLE_SECONDS`, as the pool does. A driver error
    drops the connection, as `driver_connection` does, and the next use checks out a fresh one.
    While the held connection is in use (calls overlapped after all), a call gets a pooled connection
    of its own. `release()` hands the connection back to the pool (at shutdown); disposing of the
    engine closes it too.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._pooled: Any = None
        self._busy = False
        self._used_at = 0.0
        # `engine.dispose()` closes the connections in the pool, not those checked out: this one too.
        event.listen(engine.sync_engine, "engine_disposed", self._disposed)

    def _taken(self) -> Any:
        """The held connection (None when there is none), no longer held."""
        pooled, self._pooled = self._pooled, None
        return pooled

    def _disposed(self, _: Any) -> None:
        if (pooled := self._taken()) is not None:
            pooled.invalidate()  # in the engine's dispose, which runs in a greenlet: the driver's close is awaited

    @asynccontextmanager
    async def use(self) -> AsyncIterator[Any]:
        if self._busy:
            async with driver_connection(self.engine) as connection:
                yield connection
            return
        self._busy = True
        try:
            with tracing.span("db.driver", **{"db.system": "postgresql"}):
                if self._pooled is not None and time.monotonic() - self._used_at >= PING_AFTER_IDLE_SECONDS:
                    await self._ping()
                if self._pooled is None:
                    self._pooled = await greenlet_spawn(self.engine.sync_engine.raw_connection)
                try:
                    yield self._pooled.driver_connection
                except BaseException:
                    await self._drop()
                    raise
                self._used_at = time.monotonic()
        finally:
            self._busy = False

    async def release(self) -> None:
        """Hand the held connection back to the pool (the next use checks one out again)."""
        if (pooled := self._taken()) is not None:
            await greenlet_spawn(pooled.close)

    async def _ping(self) -> None:
        try:
            await self._pooled.driver_connection.execute("SELECT 1")
        except Exception:
            logger.warning("a held database connection sat idle and is gone; checking out another")
            await self._drop()

    async def _drop(self) -> None:
        if (pooled := self._taken()) is not None:
            await greenlet_spawn(pooled.invalidate)  # closes it and hands its slot back to the pool


# Deadlock, serialization failure: two transactions locking rows in different orders. Not the
# work's fault: run again in a new transaction, it succeeds.
CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def is_conflict(exc: BaseException | None) -> bool:
    """Whether an error (or what caused it) is a deadlock or serialization failure."""
    while exc is not None:
        if getattr(exc, "sqlstate", None) in CONFLICT_SQLSTATES:
            return True
        exc = getattr(exc, "orig", None) or exc.__cause__
    return False


@asynccontextmanager
async def session_scope(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit on success, roll back on any error."""
    async with sessions() as session:
        try:
            yield session
        except BaseException:
            await rollback(session)
            raise
        await commit(session)


async def retrying_conflicts(
    sessions: async_sessionmaker[AsyncSession],
    work: Callable[[AsyncSession], Awaitable[T]],
    *,
    retries: int = 5,
) -> T:
    """`work` in a transaction of its own, run again (a moment later) when it loses a deadlock or a
    serialization failure to another writer; the last conflict is raised."""
    for attempt in range(retries + 1):
        try:
            async with session_scope(sessions) as session:
                return await work(session)
        except Exception as exc:
            if not is_conflict(exc) or attempt == retries:
                raise
            logger.info("transaction met a conflict, again (%d of %d): %s", attempt + 1, retries, type(exc).__name__)
            await asyncio.sleep(random.uniform(0, 0.05 * (attempt + 1)))  # noqa: S311 - jitter, not a secret
    raise AssertionError("unreachable")


class DriverTransaction:
    """A transaction begun and ended on the driver (asyncpg), with a session that writes in it.

    SQLAlchemy sees the connection in autocommit mode, so the session never begins or ends a
    transaction of its own: what it writes stays uncommitted until `commit()` here, which then runs
    the session's after-commit jobs. Statements of the hot path run as the driver's own prepared
    statements (`fetch_on_driver`), beside the session's.
    """

    def __init__(self, driver: Any, session: AsyncSession) -> None:
        self.driver = driver
        self.session = session

    async def commit(self) -> None:
        await self.session.flush()
        await self.driver.execute("COMMIT")
        # Nothing is left to write: this ends the session's bookkeeping and runs its after-commit jobs.
        await commit(self.session)

    async def rollback(self) -> None:
        await self.driver.execute("ROLLBACK")
        await rollback(self.session)


@asynccontextmanager
async def driver_transaction(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> AsyncIterator[DriverTransaction]:
    """One transaction on a pooled PostgreSQL connection, for hot paths; the caller commits it.

    Left without `commit()` or `rollback()` (an error, a cancellation), it is rolled back; a connection
    whose driver failed is dropped rather than pooled again (SQLAlchemy never saw the failure).
    """
    async with engine.connect() as connection:
        await connection.execution_options(isolation_level="AUTOCOMMIT")
        driver: Any = (await connection.get_raw_connection()).driver_connection
        try:
            await driver.execute("BEGIN")
            async with sessions(bind=connection) as session:
                yield DriverTransaction(driver, session)
        finally:
            await _end_on_driver(connection, driver)


async def _end_on_driver(connection: AsyncConnection, driver: Any) -> None:
    if driver.is_closed():
        await connection.invalidate()
        return
    if driver.is_in_transaction():
        try:
            await driver.execute("ROLLBACK")
        except BaseException:
            await connection.invalidate()
            raise


class _DriverSQL(NamedTuple):
    sql: str
    # Every parameter in order: its name, and its value when the statement fixed it (a literal).
    parameters: tuple[tuple[str, Any], ...]


_REQUIRED = object()


@functools.lru_cache(maxsize=512)  # a few dozen statements, and the ledger's page per page size
def _driver_sql(statement: ClauseElement, dialect: Dialect) -> _DriverSQL:
    compiled: Any = statement.compile(dialect=dialect)  # an SQLCompiler: its parameters' order and literals
    sql = str(compiled)
    if "__[POSTCOMPILE" in sql:
        raise ValueError("a statement run on the driver takes no expanding parameters (IN lists)")
    names = compiled.positiontup or ()
    return _DriverSQL(
        sql,
        tuple((n, _REQUIRED if compiled.binds[n].required else compiled.binds[n].value) for n in names),
    )


async def fetch_on_driver(
    session: AsyncSession | async_scoped_session[AsyncSession], statement: ClauseElement, params: dict[str, Any]
) -> list[Any]:
    """The rows of a Core statement run as the driver's prepared statement, in the session's transaction.

    A fraction of the CPU the same statement takes through SQLAlchemy, for hot paths on PostgreSQL
    (`driver_transaction`). `statement` must be built once (it is compiled once); values reach the
    driver as they are, without SQLAlchemy's type processing (JSON as text). Refused outside a
    transaction, where the driver would commit the statement on its own.
    """
    connection = await session.connection()
    driver: Any = (await connection.get_raw_connection()).driver_connection
    if not driver.is_in_transaction():
        raise RuntimeError("fetch_on_driver runs in a transaction only (driver_transaction)")
    rows: list[Any] = await driver.fetch(*driver_call(statement, connection.dialect, params))
    return rows


async def read_on_driver(engine: AsyncEngine, statement: ClauseElement, params: dict[str, Any]) -> list[Any]:
    """The rows of a read-only Core statement run as the driver's prepared statement, outside any transaction.

    For reads on hot paths (PostgreSQL): one statement sees one snapshot, so no BEGIN or COMMIT
    round trip is needed and no session is opened. The same terms as `fetch_on_driver` otherwise.
    """
    async with driver_connection(engine) as driver:
        return await fetch_with(driver, engine.dialect, statement, params)


async def fetch_with(driver: Any, dialect: Dialect, statement: ClauseElement, params: dict[str, Any]) -> list[Any]:
    """The rows of a Core statement built once, as a prepared statement on a driver connection held already."""
    rows: list[Any] = await driver.fetch(*driver_call(statement, dialect, params))
    return rows


def driver_call(statement: ClauseElement, dialect: Dialect, params: dict[str, Any]) -> tuple[Any, ...]:
    """The SQL of `statement` for the driver, then its parameters' values in order."""
    sql, parameters = _driver_sql(statement, dialect)
    return (sql, *(params[n] if v is _REQUIRED else v for n, v in parameters))
