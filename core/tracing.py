"""OpenTelemetry traces, off unless `tracing.enabled`: HTTP → database, and Stripe event ingest → task → handler.

`install` sets the process's tracer provider and exporter (the API, the worker). A runtime with
tracing enabled gets `instrument`: database spans on its engine and `TaskTracing` on its broker,
which puts the sender's trace context in each task's labels and opens the task's span under it in
the worker. The app adds Litestar's OpenTelemetry plugin (HTTP server spans). `span` is Tollgate's
own spans (a handler applying an event, a statement sent on the driver); with tracing off it is
OpenTelemetry's no-op.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from opentelemetry import context, propagate, trace
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from core.settings import TracingConfig

if TYPE_CHECKING:
    from litestar.plugins import InitPluginProtocol
    from sqlalchemy.ext.asyncio import AsyncEngine
    from taskiq import AsyncBroker

tracer = trace.get_tracer("tollgate")

# W3C trace context, as task labels (strings, as every label).
_TRACE_LABELS = ("traceparent", "tracestate")


def install(config: TracingConfig) -> None:
    """The process's tracer provider, exporting to the configured exporter; nothing when tracing is off."""
    if not config.enabled:
        return
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

    exporter: SpanExporter
    if config.exporter == "console":
        exporter = ConsoleSpanExporter()
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=config.otlp_endpoint)
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: config.service_name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)


def instrument(engine: AsyncEngine, broker: AsyncBroker) -> None:
    """Database spans for `engine`'s statements; trace context carried through `broker`'s tasks."""
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    # The instrumentor wraps `create_engine` for the whole process; this traces this engine alone.
    # Its connection counter goes to OpenTelemetry's no-op meter (metrics are Prometheus's, core/metrics.py).
    usage = get_meter("tollgate").create_up_down_counter("db.client.connections.usage")
    EngineTracer(trace.get_tracer("opentelemetry.instrumentation.sqlalchemy"), engine.sync_engine, usage)  # type: ignore[no-untyped-call]
    broker.add_middlewares(TaskTracing())


def litestar_plugin() -> InitPluginProtocol:
    """HTTP server spans, one per request, named by method and route template (`request_context` renames them)."""
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin

    def by_method(scope: Any) -> tuple[str, dict[str, str]]:
        # The route is not known yet (before routing); a span per raw path would name every customer.
        return str(scope.get("method", "")), {}

    config = OpenTelemetryConfig(
        scope_span_details_extractor=by_method,
        exclude=["^/health/"],
        # One span per request, not one more per ASGI message received and sent.
        exclude_spans=["receive", "send"],
    )
    return OpenTelemetryPlugin(config)


def name_request_span(method: str, route: str) -> None:
    """Name the current HTTP server span after the route template, once routing found it."""
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)


@contextlib.contextmanager
def span(name: str, **attributes: str | int | bool) -> Iterator[trace.Span]:
    """A span of Tollgate's own under the current one (an error is recorded on it).

    With no tracer provider set (tracing off), nothing at all: OpenTelemetry's no-op span would still
    attach and detach a context on every call, on the hottest paths (each statement on the driver)."""
    if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
        yield trace.INVALID_SPAN
        return
    with tracer.start_as_current_span(name, attributes=attributes) as current:
        yield current


def labels_now() -> dict[str, str]:
    """The current trace context as task labels (none when nothing is traced)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


class TaskTracing(TaskiqMiddleware):  # type: ignore[misc]
    """The task's span in the worker, a child of the span that sent it (its labels carry the context)."""

    def __init__(self) -> None:
        super().__init__()
        # task id -> its span and the token that made it current, from `pre_execute` to `post_execute`.
        self._running: dict[str, tuple[trace.Span, object]] = {}

    @staticmethod
    def labels_now() -> dict[str, str]:
        return labels_now()

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        if not any(label in message.labels for label in _TRACE_LABELS):
            message.labels.update(labels_now())
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        carrier = {label: str(message.labels[label]) for label in _TRACE_LABELS if label in message.labels}
        started = tracer.start_span(
            f"task {message.task_name}",
            context=propagate.extract(carrier),
            kind=trace.SpanKind.CONSUMER,
            attributes={"taskiq.task_id": message.task_id, "taskiq.task_name": message.task_name},
        )
        token = context.attach(trace.set_span_in_context(started))
        self._running[message.task_id] = (started, token)
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        running = self._running.pop(message.task_id, None)
        if running is None:
            return
        ended, token = running
        if result.is_err and isinstance(result.error, BaseException):
            ended.record_exception(result.error)
            ended.set_status(trace.StatusCode.ERROR)
        ended.end()
        context.detach(token)  # type: ignore[arg-type]
