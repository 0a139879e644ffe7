"""Traces, with tracing on and the SDK's in-memory exporter: a spend is one trace from the HTTP request to the
database; a Stripe event is one trace from its ingest request through its task to its handler."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from core.runtime import Runtime
from tests.inbox.conftest import recorder, recorder_installed, reset_recorder
from tests.inbox.stripe_events import deliver, invoice_paid
from tests.ledger.conftest import grant, put_customer
from tests.support.jobs import drain
from tests.support.tenants import auth, tenant_block


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    # One tracer provider per process (OpenTelemetry refuses a second): the session's, if a test set one.
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    spans = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    yield spans
    spans.shutdown()  # later tests' spans are dropped, not kept


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    exporter.clear()
    return exporter


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"tracing": {"enabled": True}}


@pytest.fixture
def extra_plugins() -> dict[str, object]:
    return {} if recorder_installed() else {"recorder": recorder}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": tenant_block("Alpha App", ["recorder"]), "beta": tenant_block("Beta App", ["recorder"])}


def ancestors(span: ReadableSpan, by_id: dict[int, ReadableSpan]) -> list[str]:
    """The names of a span's parents, nearest first."""
    names = []
    parent = span.parent
    while parent is not None and parent.span_id in by_id:
        above = by_id[parent.span_id]
        names.append(above.name)
        parent = above.parent
    return names


def one_trace(spans: InMemorySpanExporter, root_name: str) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The trace whose root span is named `root_name`: its root and every span in it."""
    finished = list(spans.get_finished_spans())
    [root] = [s for s in finished if s.name == root_name]
    assert root.context is not None
    trace_id = root.context.trace_id
    return root, [s for s in finished if s.context is not None and s.context.trace_id == trace_id]


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_spend_is_one_trace_from_the_request_to_the_database(
    client: httpx.AsyncClient, runtime: Runtime, spans: InMemorySpanExporter
) -> None:
    await put_customer(client, "c-trace")
    await grant(client, "c-trace", 50)
    spans.clear()
    answer = await client.post("/t/alpha/v1/customers/c-trace/spend", json={"credits": 5}, headers=auth("alpha"))
    assert answer.status_code == 201, answer.text
    route = "/t/{tenant_slug}/v1/customers/{customer_id}/spend"
    server, in_trace = one_trace(spans, f"POST {route}")
    assert server.kind == trace.SpanKind.SERVER
    assert server.parent is None
    assert server.attributes is not None and server.attributes["http.route"] == route
    database = [s for s in in_trace if s.attributes and s.attributes.get("db.system") in ("postgresql", "sqlite")]
    assert database, [s.name for s in in_trace]
    by_id = {s.context.span_id: s for s in in_trace if s.context is not None}
    for span in database:
        assert server.name in ancestors(span, by_id)


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_a_stripe_event_is_one_trace_from_ingest_through_its_task_to_its_handler(
    client: httpx.AsyncClient, runtime: Runtime, spans: InMemorySpanExporter
) -> None:
    await reset_recorder(runtime.engine)
    evt = invoice_paid(900)
    answer = await deliver(client, evt)
    assert answer.status_code == 200, answer.text
    await drain(runtime)
    ingest, in_trace = one_trace(spans, "POST /t/alpha/webhooks/stripe")
    by_id = {s.context.span_id: s for s in in_trace if s.context is not None}
    [task] = [s for s in in_trace if s.name == "task inbox.process_event"]
    [handler] = [s for s in in_trace if s.name == "handle invoice.paid"]
    assert task.kind == trace.SpanKind.CONSUMER
    assert ingest.name in ancestors(task, by_id)
    assert ancestors(handler, by_id)[-2:] == [task.name, ingest.name]
    assert handler.attributes is not None
    assert (handler.attributes["plugin"], handler.attributes["stripe_event_id"]) == ("recorder", evt["id"])
    assert any(s.attributes and s.attributes.get("db.system") for s in in_trace), "the inbox's statements"
