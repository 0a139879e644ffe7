"""Tollgate's error vocabulary and the one JSON shape every 4xx/5xx answer takes.

Every error a client can see is `{"error": {"code", "message", "detail"}}` with a stable `code`.
Services raise the subclasses below; the handlers here turn them (and Litestar's own errors)
into that shape, and keep stack traces in the log, never in a response. A database that cannot
be reached answers 503 `database_unavailable`, never 500.
"""

from __future__ import annotations

import logging
import traceback
from typing import Any, ClassVar

import asyncpg
import sqlalchemy.exc
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from core.batching import Closed
from core.error_codes import ErrorCodes

logger = logging.getLogger("tollgate.errors")


class TollgateError(Exception):
    """A failure with a stable error code and a human message; the code's status (core/error_codes.py) is the
    answer's. Each subclass names a family by its default code; a `code=` given must answer the same status."""

    code: ClassVar[str] = "bad_request"

    def __init__(
        self, message: str, *, detail: Any = None, code: str | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        if code is not None:
            self.code = code  # type: ignore[misc]
        # Seconds until a retry can succeed, when known: the `Retry-After` header of the answer.
        self.retry_after = retry_after

    def to_body(self) -> dict[str, Any]:
        return error_body(self.code, self.message, self.detail)


class BadRequest(TollgateError):
    code = "bad_request"


class Unauthorized(TollgateError):
    code = "unauthorized"


class PaymentRequired(TollgateError):
    code = "payment_required"


class Forbidden(TollgateError):
    code = "forbidden"


class NotFound(TollgateError):
    code = "not_found"


class Conflict(TollgateError):
    code = "conflict"


class Unprocessable(TollgateError):
    code = "unprocessable"


class TooManyRequests(TollgateError):
    code = "rate_limited"

    def __init__(self, message: str, *, detail: Any = None, code: str | None = None, retry_after: int = 60) -> None:
        super().__init__(message, detail=detail, code=code, retry_after=retry_after)


class UpstreamError(TollgateError):
    """Stripe (or another upstream) failed after our retries."""

    code = "upstream_error"


class ServiceUnavailable(TollgateError):
    code = "service_unavailable"


class SecretsUnavailable(ServiceUnavailable):
    code = "secrets_unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    code = "database_unavailable"


# A restart or a failover takes seconds; a client retrying sooner would find the database still gone.
DATABASE_RETRY_AFTER_SECONDS = 5


class MigrationError(Exception):
    """The migrations cannot run as asked: a message an operator can act on."""


class SettingsError(Exception):
    """The settings cannot run: raised at start-up with a message naming tenant and key."""


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "detail": detail}}


def _json(status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)


def handle_tollgate_error(request: Request[Any, Any, Any], exc: TollgateError) -> Response[Any]:
    codes: ErrorCodes = request.app.state.get("error_codes") or ErrorCodes()
    if exc.code not in codes:
        logger.error("Unregistered error code %r (%s): see tollgate_error_codes", exc.code, type(exc).__name__)
    headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after is not None else None
    return _json(codes.status(exc.code, type(exc).code), exc.to_body(), headers)


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
    503: "service_unavailable",
}


def handle_http_exception(_: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, ValidationException):
        return _json(400, error_body("validation_error", "The request is not valid.", callers_mistakes(exc.extra)))
    if status >= 500:
        logger.error("HTTP %s: %s", status, exc.detail)
        return _json(status, error_body("internal_error", "Something went wrong on our side."))
    code = _HTTP_CODES.get(status, "http_error")
    return _json(status, error_body(code, str(exc.detail)), exc.headers)


def callers_mistakes(extra: Any) -> Any:
    """Litestar's validation entries less its own slips: when one field fails, it re-checks every
    field of the handler's signature and reports a parameter it was not given as a KeyError entry
    (`{"message": "'tenant_slug'", "key": "tenant_slug"}`), which is no mistake of the caller's."""
    if not isinstance(extra, list):
        return extra or None
    kept = [e for e in extra if not (isinstance(e, dict) and e.get("message") == f"'{e.get('key')}'")]
    return kept or None


# A client retrying after this many seconds reaches another process (or this one restarted).
SHUTTING_DOWN_RETRY_AFTER_SECONDS = 1


def handle_closed(request: Request[Any, Any, Any], exc: Closed) -> Response[Any]:
    """Work handed to a group commit after the process began shutting down: 503, try again elsewhere."""
    logger.warning("Refused during shutdown on %s %s: %s", request.method, request.url.path, exc)
    stopping = ServiceUnavailable(
        "This server is shutting down; try again.", code="shutting_down", retry_after=SHUTTING_DOWN_RETRY_AFTER_SECONDS
    )
    return handle_tollgate_error(request, stopping)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if database_unreachable(exc):
        logger.error("Database unavailable on %s %s: %s: %s", request.method, request.url.path, type(exc).__name__, exc)
        unavailable = DatabaseUnavailable(
            "The database cannot be reached right now; try again shortly.", retry_after=DATABASE_RETRY_AFTER_SECONDS
        )
        return handle_tollgate_error(request, unavailable)
    logger.error("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _json(HTTP_500_INTERNAL_SERVER_ERROR, error_body("internal_error", "Something went wrong on our side."))


# What says the database is gone or will not take us, whatever the statement: the pool had no
# connection to give in time, or found one dead; asyncpg's SQLSTATE class 08 (connection exceptions),
# 57P01-57P03 (shutting down, crashed, starting up), 53300 (too many connections). 57014 (a cancelled
# statement) is the statement's own failure, and is not here. asyncpg's InternalClientError is its
# protocol left unusable: a backend ended while idle sends its FATAL before the socket closes, and
# the next statement on that connection finds "another operation (2) is in progress".
_UNREACHABLE = (
    sqlalchemy.exc.TimeoutError,
    sqlalchemy.exc.DisconnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InternalClientError,
)


def database_unreachable(exc: BaseException) -> bool:
    """Whether `exc`, or what it was raised from, says the database cannot be reached right now.

    A lost or refused connection, a server going down, a pool with no connection to give. What a
    statement did wrong (integrity, programming or data errors) never is: those stay 4xx or 500.
    """
    if isinstance(exc, BaseExceptionGroup):
        return all(database_unreachable(inner) for inner in exc.exceptions)
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, _UNREACHABLE):
            return True
        # asyncpg's word for a connection found closed; SQLAlchemy's own disconnect test reads it the same way.
        if isinstance(current, asyncpg.InterfaceError) and "connection is closed" in str(current):
            return True
        # A socket error or timeout (refused, reset, unreachable host) raised inside the driver.
        if isinstance(current, OSError) and _raised_in_driver(current):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


def _raised_in_driver(exc: BaseException) -> bool:
    return any(
        str(frame.f_globals.get("__name__", "")).startswith("asyncpg.")
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


EXCEPTION_HANDLERS: dict[type[Exception] | int, Any] = {
    TollgateError: handle_tollgate_error,
    HTTPException: handle_http_exception,
    Closed: handle_closed,
    Exception: handle_unexpected,
}
