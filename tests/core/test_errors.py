"""Every 4xx/5xx answers `{"error": {"code", "message", "detail"}}`; no stack trace reaches a client."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from core.app import create_app
from core.errors import database_unreachable
from tests.support.app import asgi_client
from tests.support.services import free_port
from tests.support.tenants import auth, default_tenants, tenant_block


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    tenants = default_tenants()
    tenants["alpha"] = tenant_block("Alpha App", ["example"])
    return tenants


def assert_error_shape(response: Any, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


async def test_unknown_route_and_method(client: Any) -> None:
    assert_error_shape(await client.get("/nowhere"), 404, "not_found")
    assert_error_shape(await client.delete("/health/live"), 405, "method_not_allowed")


async def test_validation_error_names_the_field(client: Any) -> None:
    r = await client.put("/t/alpha/v1/customers/c1", json={"email": 42}, headers=auth("alpha"))
    assert_error_shape(r, 400, "validation_error")
    assert r.json()["error"]["detail"][0]["key"] == "email"


async def test_malformed_json_is_400(client: Any) -> None:
    r = await client.put(
        "/t/alpha/v1/customers/c1", content=b"{not json", headers={**auth("alpha"), "content-type": "application/json"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_json"


async def test_unexpected_error_is_500_without_internals(client: Any) -> None:
    r = await client.get("/t/alpha/v1/example/boom", headers=auth("alpha"))
    assert_error_shape(r, 500, "internal_error")
    assert "hunter2" not in r.text
    assert "Traceback" not in r.text
    assert "RuntimeError" not in r.text


def test_validation_errors_list_only_the_callers_mistakes() -> None:
    from litestar.exceptions import ValidationException

    from core.errors import handle_http_exception

    exc = ValidationException(
        extra=[
            {"message": "Expected `int`, got `str`", "key": "amount", "source": "body"},
            {"message": "'tenant_slug'", "key": "tenant_slug", "source": "path"},
        ]
    )
    body = handle_http_exception(None, exc).content  # type: ignore[arg-type]
    assert body["error"]["detail"] == [{"message": "Expected `int`, got `str`", "key": "amount", "source": "body"}]


# ---------------------------------------------------------------------------------------------
# The database unreachable: 503 `database_unavailable` with Retry-After, never 500
# ---------------------------------------------------------------------------------------------


def assert_database_unavailable(response: Any) -> None:
    assert_error_shape(response, 503, "database_unavailable")
    assert int(response.headers["Retry-After"]) >= 1
    assert "Traceback" not in response.text


async def test_a_database_refusing_connections_is_503(make_runtime: Any) -> None:
    runtime = make_runtime(database={"url": f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/tollgate"})
    async with asgi_client(create_app(runtime)) as http:
        assert_database_unavailable(await http.put("/t/alpha/v1/customers/c1", json={}, headers=auth("alpha")))
        assert_database_unavailable(await http.get("/t/alpha/v1/customers/c1/balance", headers=auth("alpha")))
        assert_database_unavailable(
            await http.post("/t/alpha/v1/customers/c1/spend", json={"credits": 1}, headers=auth("alpha"))
        )
        ready = await http.get("/health/ready")
        assert ready.status_code == 503
        assert ready.json()["checks"]["database"]["ok"] is False


async def terminate_connections(db_url: str) -> int:
    """End every other session on the test database, as a restarted or failed-over server does."""
    engine = create_async_engine(db_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            ended = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            return int(ended.scalar_one())
    finally:
        await engine.dispose()


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("method", "path", "body", "ok"),
    [
        ("GET", "/t/alpha/v1/customers/c1", None, 200),
        ("POST", "/t/alpha/v1/customers/c1/spend", {"credits": 1}, 201),
    ],
    ids=["read", "spend"],
)
async def test_connections_ended_between_requests_answer_503_until_new_ones_open(
    client: Any, db_url: str, method: str, path: str, body: Any, ok: int
) -> None:
    assert (await client.put("/t/alpha/v1/customers/c1", json={}, headers=auth("alpha"))).status_code == 201
    r = await client.post("/t/alpha/v1/customers/c1/grants", json={"credits": 10}, headers=auth("alpha", "admin"))
    assert r.status_code == 201, r.text
    assert (await client.request(method, path, json=body, headers=auth("alpha"))).status_code == ok
    assert await terminate_connections(db_url) >= 1
    answers = [await client.request(method, path, json=body, headers=auth("alpha")) for _ in range(4)]
    statuses = [a.status_code for a in answers]
    # A pooled connection used a moment ago is not pinged: the first request finds it dead.
    assert statuses[0] == 503, [a.text for a in answers]
    for answer in answers:
        if answer.status_code != ok:
            assert_database_unavailable(answer)
    assert statuses[-1] == ok, "new connections replace the ended ones"


@pytest.mark.postgres
async def test_only_connection_failures_count_as_the_database_unavailable(db_url: str) -> None:
    """What a statement did wrong stays what it was; a pool with nothing to give is unavailable."""
    engine = create_async_engine(db_url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("CREATE TEMP TABLE once (id int PRIMARY KEY)"))
            await connection.execute(text("INSERT INTO once VALUES (1)"))
            await connection.commit()
            failures: list[BaseException] = []
            for before, statement in (
                (None, "INSERT INTO once VALUES (1)"),  # integrity
                (None, "SELEC 1"),  # programming
                (None, "SELECT 1 / 0"),  # data
                ("SET statement_timeout = '50ms'", "SELECT pg_sleep(1)"),  # a cancelled statement
            ):
                if before:
                    await connection.execute(text(before))
                with pytest.raises(DBAPIError) as caught:
                    await connection.execute(text(statement))
                await connection.rollback()
                failures.append(caught.value)
            assert isinstance(failures[0], IntegrityError)
            assert [database_unreachable(f) for f in failures] == [False] * 4
            # The pool's one connection is in use: the next checkout times out.
            with pytest.raises(PoolTimeout) as exhausted:
                await engine.connect()
            assert database_unreachable(exhausted.value)
    finally:
        await engine.dispose()
    # A refused connection of something other than the database driver is not the database's.
    assert not database_unreachable(ConnectionRefusedError(111, "Connection refused"))
