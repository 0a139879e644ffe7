"""Metrics: each figure moves with what it counts, labels stay bounded, the port is the operator's alone.

Figures are read from the process's registry (the tests run the app in-process); one test starts
`tollgate run --workers 2` and reads its metrics port, where both workers' figures add up. The
deploy/ dashboard and alert rules may name only metrics that core/metrics.py defines.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import stripe
import yaml
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.metrics import MetricWrapperBase

from core import metrics
from core.app import create_app
from core.inbox.tasks import sweep_inbox
from core.runtime import Runtime
from tests.core.test_installed import toml_value
from tests.inbox.conftest import extra_plugins, recorder, runtime  # noqa: F401 - the recorder plugin's fixtures
from tests.inbox.stripe_events import deliver, event, invoice_paid, stripe_object
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import auth, secrets_document, tenant_block

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def series() -> set[str]:
    """Every series of the process (name and labels), without values."""
    return {line.rsplit(" ", 1)[0] for line in generate_latest().decode().splitlines() if not line.startswith("#")}


@pytest.fixture
def tenants_config() -> dict[str, Any]:
    # Notices go nowhere (a closed port): every delivery fails, and is counted so.
    return {
        "alpha": tenant_block("Alpha App", ["recorder"], notifications={"url": "http://127.0.0.1:9/hooks"}),
        "beta": tenant_block("Beta App", ["recorder"]),
    }


async def test_spends_402s_grants_and_holds_are_counted_per_tenant(runtime: Runtime, client: httpx.AsyncClient) -> None:
    spent, refused = (
        value("tollgate_spends_total", tenant="alpha", outcome="spent"),
        value("tollgate_spends_total", tenant="alpha", outcome="insufficient"),
    )
    granted = value("tollgate_grants_total", tenant="alpha", source="admin")
    placed = value("tollgate_holds_total", tenant="alpha", outcome="placed")
    captured = value("tollgate_holds_total", tenant="alpha", outcome="captured")
    batches = value("tollgate_batch_size_count", batcher="Spends._call")

    base = "/t/alpha/v1/customers/ada"
    assert (await client.put(base, json={}, headers=auth("alpha"))).status_code in (200, 201)
    response = await client.post(f"{base}/grants", json={"credits": 10}, headers=auth("alpha", "admin"))
    assert response.status_code == 201, response.text
    assert (await client.post(f"{base}/spend", json={"credits": 3}, headers=auth("alpha"))).status_code == 201
    assert (await client.post(f"{base}/spend", json={"credits": 100}, headers=auth("alpha"))).status_code == 402
    hold = await client.post(f"{base}/holds", json={"credits": 2}, headers=auth("alpha"))
    assert hold.status_code == 201, hold.text
    capture = await client.post(f"{base}/holds/{hold.json()['id']}/capture", headers=auth("alpha"))
    assert capture.status_code == 200, capture.text

    assert value("tollgate_spends_total", tenant="alpha", outcome="spent") == spent + 1
    assert value("tollgate_spends_total", tenant="alpha", outcome="insufficient") == refused + 1
    assert value("tollgate_grants_total", tenant="alpha", source="admin") == granted + 1
    assert value("tollgate_holds_total", tenant="alpha", outcome="placed") == placed + 1
    assert value("tollgate_holds_total", tenant="alpha", outcome="captured") == captured + 1
    assert value("tollgate_batch_size_count", batcher="Spends._call") == batches + 2, "PostgreSQL spends batch"
    route = "/t/{tenant_slug}/v1/customers/{customer_id}/spend"
    labels = {"app_name": "tollgate", "method": "POST", "path": route, "tenant": "alpha"}
    assert value("tollgate_http_requests_total", **labels, status_code="402") >= 1
    assert value("tollgate_http_request_duration_seconds_count", **labels, status_code="201") >= 1


async def test_a_failed_grant_transaction_counts_nothing(runtime: Runtime, client: httpx.AsyncClient) -> None:
    from core.db import rollback
    from core.ledger.services import Ledger

    await client.put("/t/beta/v1/customers/bob", json={}, headers=auth("beta"))
    before = value("tollgate_grants_total", tenant="beta", source="test")
    async with runtime.sessions() as session:
        await Ledger(session, runtime.tenants.get("beta")).grant("bob", 5, source="test", source_ref="r1")
        await rollback(session)
    assert value("tollgate_grants_total", tenant="beta", source="test") == before


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_stripe_events_are_counted_received_processed_and_timed(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    def events(outcome: str, event_type: str = "invoice.paid") -> float:
        return value("tollgate_stripe_events_total", tenant="alpha", type=event_type, outcome=outcome)

    received, processed, duplicate = events("received"), events("processed"), events("duplicate")
    other = events("received", "other")
    lags = value("tollgate_stripe_event_lag_seconds_count", tenant="alpha")

    evt = invoice_paid(500)
    assert (await deliver(client, evt)).status_code == 200
    assert (await deliver(client, evt)).status_code == 200
    # A type no handler takes is stored ignored, and counted under "other" (types are bounded).
    unhandled = event("radar.early_fraud_warning.created", stripe_object("invoice"))
    assert (await deliver(client, unhandled)).status_code == 200
    await drain(runtime)

    assert events("received") == received + 1
    assert events("duplicate") == duplicate + 1
    assert events("processed") == processed + 1
    assert events("received", "other") == other + 1
    assert value("tollgate_stripe_event_lag_seconds_count", tenant="alpha") == lags + 1
    assert "radar.early_fraud_warning.created" not in generate_latest().decode()


async def test_failed_and_dead_events_are_counted(
    runtime: Runtime, client: httpx.AsyncClient, make_runtime: Any
) -> None:
    failing = make_runtime(inbox={"max_attempts": 1})
    dead = value("tollgate_stripe_events_total", tenant="alpha", type="invoice.paid", outcome="dead")
    evt = invoice_paid(500)
    recorder.FAILURES[evt["id"]] = 1
    async with asgi_client(create_app(failing)) as http:
        assert (await deliver(http, evt)).status_code == 200
        await drain(failing)
    recorder.FAILURES.clear()
    assert value("tollgate_stripe_events_total", tenant="alpha", type="invoice.paid", outcome="dead") == dead + 1


async def test_the_sweeper_samples_the_inbox_backlog(runtime: Runtime, client: httpx.AsyncClient) -> None:
    for _ in range(3):
        assert (await deliver(client, invoice_paid(100, pause_ms=1500), "beta")).status_code == 200
    # None is processed yet: each handler waits 1.5 s in its transaction.
    await sweep_inbox(runtime)
    assert value("tollgate_inbox_backlog", tenant="beta") == 3
    await drain(runtime)
    await sweep_inbox(runtime)
    assert value("tollgate_inbox_backlog", tenant="beta") == 0


async def test_unknown_tenants_and_many_customers_add_no_series(runtime: Runtime, client: httpx.AsyncClient) -> None:
    async def round_of(customers: range, bogus: range) -> None:
        for n in customers:
            await client.get(f"/t/alpha/v1/customers/user-{n}/balance", headers=auth("alpha"))
        for n in bogus:
            response = await client.get(f"/t/bogus{n}/v1/customers/user-{n}/balance", headers=auth("alpha"))
            assert response.status_code == 404
            await client.post(f"/t/bogus{n}/webhooks/stripe", content=b"{}")

    await round_of(range(2), range(2))
    known = series()
    await round_of(range(2, 102), range(2, 22))
    assert series() == known, "100 customers and 20 unknown tenants made new series"
    scrape = generate_latest().decode()
    assert "user-" not in scrape
    assert "bogus" not in scrape
    unknown = {"app_name": "tollgate", "method": "GET", "status_code": "404", "tenant": "unknown"}
    balance_route = "/t/{tenant_slug}/v1/customers/{customer_id}/balance"
    assert value("tollgate_http_requests_total", **unknown, path=balance_route) >= 22


async def test_the_api_serves_no_metrics(client: httpx.AsyncClient) -> None:
    for path in ("/metrics", "/t/alpha/metrics", "/t/alpha/v1/metrics"):
        assert (await client.get(path, headers=auth("alpha"))).status_code == 404


async def test_secrets_reads_and_cache_hits_are_counted(runtime: Runtime, client: httpx.AsyncClient) -> None:
    reads, hits = (
        value("tollgate_secrets_reads_total", tenant="beta", outcome="ok"),
        value("tollgate_secrets_cache_hits_total", tenant="beta"),
    )
    for _ in range(3):
        assert (await client.get("/t/beta/v1/", headers=auth("beta"))).status_code == 200
    assert value("tollgate_secrets_reads_total", tenant="beta", outcome="ok") == reads + 1
    assert value("tollgate_secrets_cache_hits_total", tenant="beta") >= hits + 2


async def test_failed_notice_deliveries_are_counted(runtime: Runtime, client: httpx.AsyncClient) -> None:
    failed = value("tollgate_notifications_total", tenant="alpha", outcome="failed")
    base = "/t/alpha/v1/customers/nia"
    await client.put(base, json={}, headers=auth("alpha"))
    assert (await client.post(f"{base}/grants", json={"credits": 1}, headers=auth("alpha", "admin"))).status_code == 201
    await drain(runtime)  # credits.granted goes to a closed port
    assert value("tollgate_notifications_total", tenant="alpha", outcome="failed") == failed + 1


async def test_stripe_api_requests_are_counted_and_timed_per_tenant(make_runtime: Any, stripe_emulator: Any) -> None:
    key = stripe_emulator.new_account()
    runtime = make_runtime(
        stripe={"api_base": stripe_emulator.url, "max_network_retries": 0},
        tenant_secrets={"alpha": secrets_document("alpha", key), "beta": secrets_document("beta")},
    )
    ok = value("tollgate_stripe_api_requests_total", tenant="alpha", method="POST", outcome="ok")
    refused = value("tollgate_stripe_api_requests_total", tenant="alpha", method="GET", outcome="client_error")
    timed = value("tollgate_stripe_api_request_duration_seconds_count", tenant="alpha")
    client = await runtime.stripe.for_tenant(runtime.tenants.get("alpha"))
    await client.v1.customers.create_async({"email": "ada@example.com"})
    with pytest.raises(stripe.InvalidRequestError):
        await client.v1.customers.retrieve_async("cus_missing")
    assert value("tollgate_stripe_api_requests_total", tenant="alpha", method="POST", outcome="ok") == ok + 1
    assert value("tollgate_stripe_api_requests_total", tenant="alpha", method="GET", outcome="client_error") == (
        refused + 1
    )
    assert value("tollgate_stripe_api_request_duration_seconds_count", tenant="alpha") == timed + 2


async def test_server_errors_and_requests_that_raised_are_counted_as_errors() -> None:
    """The HTTP middleware on its own: a 503 answered, and a request that raised before answering (a 500)."""
    metrics.know(["alpha"], [])
    template = "/t/{tenant_slug}/v1/probe"

    async def answer_503(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def raise_at_once(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("broken before answering")

    async def nothing() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def sent(_: Any) -> None:
        return None

    labels = {"app_name": "tollgate", "method": "GET", "path": template, "tenant": "alpha"}
    before = {code: value("tollgate_http_requests_error_total", **labels, status_code=code) for code in ("500", "503")}
    for app in (answer_503, raise_at_once):
        scope = {"type": "http", "method": "GET", "path": "/t/alpha/v1/probe", "path_template": template}
        with contextlib.suppress(RuntimeError):
            await metrics.http_metrics(app)(scope, nothing, sent)  # type: ignore[arg-type]
    for code in ("500", "503"):
        assert value("tollgate_http_requests_error_total", **labels, status_code=code) == before[code] + 1
        assert value("tollgate_http_requests_total", **labels, status_code=code) >= 1
    assert value("tollgate_http_requests_in_progress", **labels, status_code="200") == 0, "none left in flight"
    assert value("tollgate_http_request_duration_seconds_count", **labels, status_code="503") >= 1


def test_labels_outside_the_configured_sets_are_folded() -> None:
    metrics.know(["alpha"], ["invoice.paid"])
    assert metrics.tenant_label("alpha") == "alpha"
    assert metrics.tenant_label("cus_123") == metrics.UNKNOWN_TENANT
    assert metrics.event_type_label("invoice.paid") == "invoice.paid"
    assert metrics.event_type_label("anything.else") == metrics.OTHER_TYPE


# ---- the metrics port of `tollgate run --workers 2` ---------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_run_with_two_workers_serves_one_scrape_of_both(tmp_path: Path) -> None:
    api, port = free_port(), free_port()
    (tmp_path / "settings.toml").write_text(
        f'[default.database]\nurl = "sqlite+aiosqlite:///{tmp_path / "tollgate.db"}"\n'
        f'[default.metrics]\nport = {port}\nmultiprocess_dir = "{tmp_path / "metrics"}"\n'
        '[default.tenants.alpha]\nname = "Alpha"\nplugins = []\n'
    )
    document = secrets_document("alpha")
    (tmp_path / ".secrets.toml").write_text(
        "[default.tenant_secrets.alpha]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in document.items())
    )
    # A stale file of an earlier run is cleared at start.
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_1.db").write_bytes(b"stale")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TOLLGATE_", "PROMETHEUS_"))}
    env["PYTHONPATH"] = str(ROOT)
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "tollgate"), "run", "--workers", "2", "--port", str(api)],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
            try:
                if httpx.get(f"http://127.0.0.1:{api}/health/live", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{api}/metrics").status_code == 404, "no metrics on the API port"
        # A connection each, until both workers have answered (each writes its own counter file).
        sent = 0
        while sent < 20 or len(list((tmp_path / "metrics").glob("counter_*.db"))) < 2:
            assert sent < 500, "one worker answered every request"
            response = httpx.get(
                f"http://127.0.0.1:{api}/t/alpha/v1/", headers={**auth("alpha"), "Connection": "close"}
            )
            assert response.status_code == 200
            sent += 1
        scrape = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
    total = re.search(
        r'^tollgate_http_requests_total\{app_name="tollgate",method="GET",path="/t/\{tenant_slug\}/v1",'
        r'status_code="200",tenant="alpha"\} (\S+)$',
        scrape,
        re.MULTILINE,
    )
    assert total is not None, scrape[:3000]
    assert float(total.group(1)) == sent, "one scrape holds both workers' requests"


# ---- deploy/: the dashboard and the alert rules --------------------------------------------------


def defined_metrics() -> set[str]:
    """The names a scrape can show: each metric of core/metrics.py, with its series' suffixes."""
    names: set[str] = set()
    for collector in vars(metrics).values():
        if isinstance(collector, MetricWrapperBase):
            names |= {family.name for family in collector.describe()}
    suffixes = ("_total", "_bucket", "_count", "_sum")
    return names | {name + suffix for name in names for suffix in suffixes}


def expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    found = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads((DEPLOY / "grafana" / "tollgate.json").read_text())
    found += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    return found


def test_the_alert_rules_have_the_shape_prometheus_reads() -> None:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    names = []
    for group in rules["groups"]:
        assert set(group) <= {"name", "interval", "rules", "limit"} and group["rules"]
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations", "keep_firing_for"}
            assert rule["alert"] and rule["expr"] and rule["annotations"]["summary"]
            assert rule["expr"].count("(") == rule["expr"].count(")")
            names.append(rule["alert"])
    assert len(names) == len(set(names))
    joined = " ".join(expressions())
    for needed in (
        'outcome="dead"',
        "tollgate_stripe_event_lag_seconds_bucket",
        "tollgate_secrets_reads_total",
        '"5.."',
    ):
        assert needed in joined


def test_the_dashboard_and_rules_name_only_defined_metrics() -> None:
    defined = defined_metrics()
    named = {name for expr in expressions() for name in re.findall(r"\btollgate_[a-z_]+", expr)}
    assert named, "no metric named"
    assert named - defined == set(), "deploy/ names metrics core/metrics.py does not define"
    dashboard = json.loads((DEPLOY / "grafana" / "tollgate.json").read_text())
    assert len({panel["id"] for panel in dashboard["panels"]}) == len(dashboard["panels"])


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool is not installed (apt: prometheus)")
def test_promtool_accepts_the_rules_and_the_scrape_config() -> None:
    for command in (["check", "rules", "alerts.yml"], ["check", "config", "prometheus.yml"]):
        done = subprocess.run(
            ["promtool", *command], cwd=DEPLOY / "prometheus", capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
