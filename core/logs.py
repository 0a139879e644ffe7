"""Structured logs: every process's log lines as JSON (or readable console lines), carrying who and what they are about.

`configure` routes the standard library's logging and structlog through one formatter, once per
process (API, worker, CLI). `request_context` gives each HTTP request an id (`X-Request-ID`,
accepted when well-formed, else made up, echoed in the answer) and logs one line per request;
the tenant guard binds the tenant and the caller's name; `TaskLogContext` carries the request id
into the tasks a request sends and binds each task's id and name in the worker. `redact` blanks
whatever looks like a credential, as a safety net: a test scans a whole demo run's logs for every
secret the demo holds.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid
from collections.abc import Mapping, MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import msgspec
import structlog
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from taskiq import TaskiqMessage, TaskiqMiddleware

from core import tracing
from core.settings import LoggingConfig

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_LABEL = "request_id"
# An incoming id is kept when it is at most this long and made of these characters, else replaced.
_ACCEPTED_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:-]{1,128}")

# The request id of the request (or task) this code runs for, for the tasks it sends.
_request_id: ContextVar[str | None] = ContextVar("tollgate_request_id", default=None)

# A standard library logger: a process that configured no logging drops its lines as it drops any other INFO.
logger = logging.getLogger("tollgate.http")

# Keys whose values are never logged, whatever they hold.
_SECRET_KEYS = re.compile(r"authorization|api_?key|secret|token|password|passwd|cookie|signature", re.IGNORECASE)
# Values that look like credentials wherever they appear: Stripe keys and webhook secrets, bearer tokens.
_SECRET_VALUES = re.compile(
    r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9_]+|\bwhsec_[A-Za-z0-9+/=_]+|(?i:bearer)\s+[A-Za-z0-9._~+/=-]+"
)
REDACTED = "[redacted]"
# Fields the log line itself is made of, never redacted by name.
_OWN_KEYS = frozenset({"event", "level", "logger", "timestamp", "request_id", "task_id", "task"})


def redact(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: blank the values of credential-like keys and credential-like text anywhere."""
    for key, value in event_dict.items():
        if key not in _OWN_KEYS and _SECRET_KEYS.search(key):
            event_dict[key] = REDACTED
        elif isinstance(value, str):
            event_dict[key] = _SECRET_VALUES.sub(REDACTED, value)
    return event_dict


def renderer_for(config: LoggingConfig, env: str) -> str:
    """`json` or `console`: the configured format, or by environment (JSON in production)."""
    if config.format != "auto":
        return config.format
    return "json" if env == "production" else "console"


class _TollgateHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The root handler `configure` installs (so configuring again replaces it, not adds another)."""


def configure(config: LoggingConfig, env: str, *, level: str | None = None, stream: TextIO | None = None) -> None:
    """Send every log line (stdlib and structlog) through one formatter to `stream` (stderr)."""
    json_lines = renderer_for(config, env) == "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.ExtraAdder(),
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
    ]
    structlog.configure(
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    output = stream or sys.stderr
    renderer: Any = (
        structlog.processors.JSONRenderer(sort_keys=False)
        if json_lines
        else structlog.dev.ConsoleRenderer(colors=output.isatty(), exception_formatter=structlog.dev.plain_traceback)
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks as text before redaction: an exception's message may hold what it was given.
            structlog.processors.format_exc_info,
            redact,
            renderer,
        ],
    )
    handler = _TollgateHandler(output)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    # Ours from before, and a plain one from `logging.basicConfig` (taskiq's worker makes one); never a
    # subclass of someone else's (pytest's capture).
    for old in [h for h in root.handlers if type(h) in (_TollgateHandler, logging.StreamHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel((level or config.level).upper())
    # uvicorn's and taskiq's own handlers would print their lines a second time, unformatted.
    for name in ("uvicorn", "uvicorn.error", "taskiq"):
        own = logging.getLogger(name)
        own.handlers.clear()
        own.propagate = True
    # The `request` line of `request_context` says more; uvicorn's access line would only repeat it.
    access = logging.getLogger("uvicorn.access")
    access.handlers.clear()
    access.propagate = False


def configure_from_settings(env: str | None = None, *, level: str | None = None, default_level: str = "INFO") -> None:
    """`configure` for a process that logs before it builds a Runtime (the CLI, the demo): the settings'
    `logging` block, at `level` if given, else at the settings' level, else at `default_level`. Without a
    settings file, the defaults (the command itself says what is missing)."""
    from core.errors import SettingsError
    from core.settings import load_dynaconf, to_plain

    try:
        settings = load_dynaconf(env)
    except SettingsError:
        block: dict[str, Any] = {}
        current_env = env or os.environ.get("TOLLGATE_ENV", "development")
    else:
        block = {str(key).lower(): value for key, value in (to_plain(settings.get("logging")) or {}).items()}
        current_env = str(settings.current_env).lower()
    block["level"] = level or block.get("level") or default_level
    try:
        config = msgspec.convert(block, LoggingConfig)
    except msgspec.ValidationError as exc:
        raise SettingsError(f"Invalid settings: logging: {exc}") from None
    configure(config, current_env)


def bind(**values: Any) -> None:
    """Add fields to every log line of the current request or task from here on."""
    structlog.contextvars.bind_contextvars(**values)


def current_request_id() -> str | None:
    return _request_id.get()


def accepted_request_id(sent: bytes | None) -> str:
    """The caller's request id when it is well-formed (at most 128 of `A-Za-z0-9._:-`), else a new one."""
    if sent is not None and _ACCEPTED_REQUEST_ID.fullmatch(sent):
        return sent.decode("ascii")
    return uuid.uuid4().hex


def request_context(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the request's id bound to its log lines and echoed in `X-Request-ID`; one line per request."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        method = scope["method"]
        # Routing has found the route: its template names the request (in its log line and its span).
        route = scope.get("path_template") or scope["path"]
        tracing.name_request_span(method, route)
        sent = next((value for key, value in scope["headers"] if key == b"x-request-id"), None)
        request_id = accepted_request_id(sent)
        echoed = (b"x-request-id", request_id.encode("ascii"))
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        _request_id.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), echoed]}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            # Probes ask every few seconds; their lines are for debugging only.
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            logger.log(
                logging.DEBUG if route.startswith("/health/") else logging.INFO,
                "request",
                extra={"method": method, "route": route, "status": status, "duration_ms": duration_ms},
            )
            structlog.contextvars.clear_contextvars()

    return middleware


class TaskLogContext(TaskiqMiddleware):  # type: ignore[misc]
    """Sending: the sender's request id goes with the task (a label). Running: the task's log lines carry
    its id, its name and that request id, and nothing of whatever ran before in the process."""

    @staticmethod
    def labels_now() -> dict[str, str]:
        """The labels a task sent from here would carry (for work sent later on this request's behalf)."""
        request_id = _request_id.get()
        return {REQUEST_ID_LABEL: request_id} if request_id else {}

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        request_id = _request_id.get()
        if request_id and REQUEST_ID_LABEL not in message.labels:
            message.labels[REQUEST_ID_LABEL] = request_id
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        structlog.contextvars.clear_contextvars()
        request_id = message.labels.get(REQUEST_ID_LABEL)
        _request_id.set(str(request_id) if request_id else None)
        context: Mapping[str, Any] = {"task_id": message.task_id, "task": message.task_name}
        structlog.contextvars.bind_contextvars(**context, **({"request_id": request_id} if request_id else {}))
        return message
