"""Logs: the request id (accepted, made up, echoed), JSON lines that say which tenant and caller, the worker's
lines that say which task and Stripe event, and credentials blanked."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import structlog

from core import logs
from core.runtime import Runtime
from core.settings import LoggingConfig
from tests.inbox.conftest import recorder, recorder_installed, reset_recorder
from tests.inbox.stripe_events import deliver, invoice_paid
from tests.support.jobs import drain
from tests.support.tenants import KEYS, auth, tenant_block


class Lines:
    """The JSON lines logged while a test runs."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    def all(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.stream.getvalue().splitlines() if line.strip()]

    def requests(self) -> list[dict[str, Any]]:
        return [line for line in self.all() if line["event"] == "request"]


@pytest.fixture
def lines() -> Iterator[Lines]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    logs.configure(LoggingConfig(format="json", level="DEBUG"), "testing", stream=stream)
    yield Lines(stream)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


@pytest.fixture
def extra_plugins() -> dict[str, object]:
    return {} if recorder_installed() else {"recorder": recorder}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    return {"alpha": tenant_block("Alpha App", ["recorder"]), "beta": tenant_block("Beta App", ["recorder"])}


async def test_a_request_id_is_made_up_echoed_and_logged_with_tenant_and_caller(
    client: httpx.AsyncClient, lines: Lines
) -> None:
    answer = await client.get("/t/alpha/v1/", headers=auth("alpha", "admin"))
    assert answer.status_code == 200
    request_id = answer.headers["x-request-id"]
    assert len(request_id) == 32
    [line] = lines.requests()
    assert line["request_id"] == request_id
    assert (line["tenant"], line["principal"]) == ("alpha", "alpha-admin")
    assert (line["method"], line["route"], line["status"], line["level"]) == ("GET", "/t/{tenant_slug}/v1", 200, "info")
    assert isinstance(line["duration_ms"], float)
    assert "timestamp" in line
    again = await client.get("/t/alpha/v1/", headers=auth("alpha"))
    assert again.headers["x-request-id"] != request_id, "one id per request"


async def test_a_well_formed_request_id_is_kept_and_a_bad_one_replaced(client: httpx.AsyncClient, lines: Lines) -> None:
    kept = await client.get("/t/alpha/v1/", headers={**auth("alpha"), "X-Request-ID": "lb-7f3a.91:02_x"})
    assert kept.headers["x-request-id"] == "lb-7f3a.91:02_x"
    for bad in ("a" * 129, "two words", "<script>", "ok\\no"):
        replaced = await client.get("/t/alpha/v1/", headers={**auth("alpha"), "X-Request-ID": bad})
        assert replaced.headers["x-request-id"] != bad
        assert len(replaced.headers["x-request-id"]) == 32
    assert [line["request_id"] for line in lines.requests()][0] == "lb-7f3a.91:02_x"


async def test_refused_requests_carry_their_id_and_never_the_key(client: httpx.AsyncClient, lines: Lines) -> None:
    wrong_key = await client.get("/t/alpha/v1/", headers={"Authorization": "Bearer tg_alpha_not_a_key"})
    assert wrong_key.status_code == 401
    unknown = await client.get("/t/nobody/v1/", headers=auth("alpha"))
    assert unknown.status_code == 404
    forbidden = await client.post("/t/alpha/v1/customers/c1/grants", json={"credits": 1}, headers=auth("alpha"))
    assert forbidden.status_code == 403
    for answer in (wrong_key, unknown, forbidden):
        assert answer.headers["x-request-id"]
    by_id = {line["request_id"]: line for line in lines.requests()}
    assert by_id[wrong_key.headers["x-request-id"]]["status"] == 401
    assert by_id[wrong_key.headers["x-request-id"]]["tenant"] == "alpha"
    assert "principal" not in by_id[wrong_key.headers["x-request-id"]]
    assert by_id[forbidden.headers["x-request-id"]]["principal"] == "alpha-service"
    text = lines.stream.getvalue()
    assert "tg_alpha_not_a_key" not in text
    assert KEYS["alpha"]["service"] not in text


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_the_worker_lines_carry_the_task_the_stripe_event_and_the_webhook_request(
    client: httpx.AsyncClient, runtime: Runtime, lines: Lines
) -> None:
    await reset_recorder(runtime.engine)
    evt = invoice_paid(700)
    answer = await deliver(client, evt)
    assert answer.status_code == 200, answer.text
    await drain(runtime)
    request_id = answer.headers["x-request-id"]
    [ingest] = [line for line in lines.requests() if line["request_id"] == request_id]
    assert (ingest["tenant"], ingest["stripe_event_id"], ingest["status"]) == ("alpha", evt["id"], 200)
    [applied] = [line for line in lines.all() if line["event"] == "invoice.paid applied by recorder"]
    assert applied["logger"] == "tollgate.inbox"
    assert (applied["stripe_event_id"], applied["tenant"]) == (evt["id"], "alpha")
    assert applied["event_type"] == "invoice.paid"
    assert applied["task"] == "inbox.process_event"
    assert applied["task_id"]
    assert applied["request_id"] == request_id, "the webhook's request id follows its event into the worker"
    assert "principal" not in applied


def test_credentials_are_blanked_by_key_and_by_look(lines: Lines) -> None:
    log = structlog.get_logger("tollgate.test")
    log.info("calling stripe with sk_test_51abcDEF and whsec_abc123=", authorization="Bearer xyz", api_key="k")
    logging.getLogger("tollgate.test").warning("header was Bearer tg_alpha_service_key, secret rk_live_zzz")
    first, second = lines.all()
    assert first["event"] == "calling stripe with [redacted] and [redacted]"
    assert (first["authorization"], first["api_key"]) == ("[redacted]", "[redacted]")
    assert second["event"] == "header was [redacted], secret [redacted]"
    assert second["level"] == "warning"


def test_the_format_follows_the_environment_unless_set() -> None:
    assert logs.renderer_for(LoggingConfig(), "production") == "json"
    assert logs.renderer_for(LoggingConfig(), "development") == "console"
    assert logs.renderer_for(LoggingConfig(format="json"), "development") == "json"
    assert logs.renderer_for(LoggingConfig(format="console"), "production") == "console"
