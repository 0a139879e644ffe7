"""docs/deploy.md, run as written: the wheel in a fresh venv, then every `# deploy:` block in order, from a
directory holding only the operator's files, on PostgreSQL, Redis, a real OpenBao and the Stripe emulator.

Two API processes on one port, two workers and a scheduler serve the five reference tenants (and one
onboarded with `tollgate tenants add`); the demo's tenant apps then walk their scenarios against that
deployment (`python -m demo --tollgate URL`), sharing its clock through TOLLGATE_SHARED_CLOCK so that
Stripe's test clocks and Tollgate agree; then every process gets SIGTERM and must exit cleanly.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from stripe_emulator.pytest_plugin import EmulatorHandle, start_emulator, stop_emulator
from tests.demo.figures import check_the_five_walks
from tests.demo.logged import demo_secrets
from tests.support.ledger import verify_database
from tests.support.services import (
    OpenBao,
    bao_binary,
    create_database,
    database_url,
    drop_database,
    free_port,
    run_blocking,
    start_openbao,
    unique_name,
)

pytestmark = [pytest.mark.vault, pytest.mark.postgres, pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "deploy.md"
TENANTS = ("imagegen", "automate", "fiko", "quickscale", "creditshop")
FENCE = re.compile(r"^```sh\n# deploy: (?P<kind>env|step|service) ?(?P<name>[\w-]*)\n(?P<body>.*?)^```$", re.M | re.S)
STOP_SECONDS = 40
# The metrics ports of docs/deploy.md: the API's (metrics.port), then each worker's.
METRICS_PORTS = {"api": 9100, "worker-1": 9101, "worker-2": 9102}


@dataclass(frozen=True)
class Block:
    kind: str
    name: str
    body: str


def deploy_blocks(text: str) -> list[Block]:
    return [Block(m["kind"], m["name"], m["body"]) for m in FENCE.finditer(text)]


def test_the_doc_has_the_walk_in_order() -> None:
    """The test below relies on these blocks; a renamed or reordered one should fail here, clearly."""
    names = [(block.kind, block.name) for block in deploy_blocks(DOC.read_text())]
    assert names == [
        ("step", "install"),
        ("env", ""),
        ("step", "vault"),
        ("step", "push-secrets"),
        ("step", "migrate"),
        ("step", "check"),
        ("step", "add-tenant"),
        ("step", "connect"),
        ("service", "api"),
        ("service", "worker-1"),
        ("service", "worker-2"),
        ("service", "scheduler"),
        ("step", "ready"),
    ]


@dataclass
class Site:
    """The operator's directory and the variables docs/deploy.md says come from their site."""

    directory: Path
    env: dict[str, str]
    public_url: str
    emulator: EmulatorHandle
    notifications_port: int
    clock_file: Path

    def shell(self, body: str) -> list[str]:
        sourced = "".join(f"source {shlex.quote(str(path))}\n" for path in sorted(self.directory.glob("env-*.sh")))
        return ["bash", "-c", f"set -euo pipefail\n{sourced}{body}"]

    def run(self, block: Block) -> subprocess.CompletedProcess[str]:
        if block.kind == "env":
            count = len(list(self.directory.glob("env-*.sh")))
            (self.directory / f"env-{count:02d}.sh").write_text(block.body)
        result = subprocess.run(
            self.shell(block.body), cwd=self.directory, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, f"deploy step {block.name or block.kind}:\n{result.stdout}\n{result.stderr}"
        return result

    def start(self, block: Block) -> subprocess.Popen[bytes]:
        with (self.directory / f"{block.name}.log").open("wb") as log:
            return subprocess.Popen(
                self.shell(block.body), cwd=self.directory, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )


def operator_environment() -> dict[str, str]:
    """This machine's environment without Tollgate's, Vault's or this venv's traces: what an operator's
    shell has before following the doc."""
    venv_bin = Path(sys.executable).parent
    path = [entry for entry in os.environ["PATH"].split(os.pathsep) if entry and Path(entry) != venv_bin]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TOLLGATE_", "VAULT_", "BAO_", "VIRTUAL_ENV"))}
    # The OpenBao CLI, as an operator's Vault host has it.
    return {**clean, "PATH": os.pathsep.join([str(Path(bao_binary()).parent), *path])}


def operator_settings(notifications_port: int) -> str:
    """The example settings file, with the tenant apps' notification endpoints where the walk listens."""
    text = (ROOT / "settings.toml").read_text()
    for slug in TENANTS:
        text = text.replace(
            f"https://{slug}.example.com/billing/tollgate",
            f"http://127.0.0.1:{notifications_port}/{slug}/billing/tollgate",
        )
    return text


@pytest.fixture
def openbao() -> Iterator[OpenBao]:
    bao = start_openbao()
    yield bao
    bao.stop()


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[EmulatorHandle]:
    handle = start_emulator("--auto-accounts", r"sk_test_\w+", work_dir=tmp_path)
    yield handle
    stop_emulator(handle)


@pytest.fixture
def database(pg_admin_url: str) -> Iterator[str]:
    name = unique_name("tollgate_deploy")
    run_blocking(lambda: create_database(pg_admin_url, name))
    yield database_url(pg_admin_url, name)
    run_blocking(lambda: drop_database(pg_admin_url, name))


@pytest.fixture
def site(tmp_path: Path, tollgate_wheel: Path, openbao: OpenBao, emulator: EmulatorHandle, database: str) -> Site:
    directory = tmp_path / "operator"
    directory.mkdir()
    port, notifications_port = free_port(), free_port()
    public_url = f"http://127.0.0.1:{port}"
    clock_file = tmp_path / "clock"
    (directory / "settings.toml").write_text(operator_settings(notifications_port))
    (directory / "tenant-secrets.toml").write_text((ROOT / ".secrets.toml").read_text())
    (directory / "newapp_stripe_key").write_text("sk_test_newapp_demo\n")
    queue = unique_name("tollgate_deploy")
    env = operator_environment() | {
        "TOLLGATE_HOME": str(tmp_path / "venv"),
        "TOLLGATE_WHEEL": str(tollgate_wheel),
        "TOLLGATE_SOURCE": str(ROOT),
        "VAULT_ADDR": openbao.url,
        "VAULT_TOKEN": openbao.root_token,
        # The site's services, where its settings file's [production] section names compose hosts.
        "TOLLGATE_DATABASE__URL": database,
        "TOLLGATE_JOBS__REDIS_URL": "redis://127.0.0.1:6379/0",
        "TOLLGATE_JOBS__QUEUE_NAME": queue,
        "TOLLGATE_JOBS__CONSUMER_GROUP": queue,
        "TOLLGATE_VAULT__URL": openbao.url,
        "TOLLGATE_STRIPE__API_BASE": emulator.url,
        "TOLLGATE_SERVER__PORT": str(port),
        "TOLLGATE_SERVER__PUBLIC_URL": public_url,
        # A rehearsal: one clock with the emulator's test clocks, and retries within seconds.
        "TOLLGATE_SHARED_CLOCK": str(clock_file),
        "TOLLGATE_INBOX__BACKOFF_BASE_SECONDS": "0.5",
        "TOLLGATE_INBOX__BACKOFF_MAX_SECONDS": "2",
        "TOLLGATE_OUTBOX__BACKOFF_BASE_SECONDS": "0.5",
        "TOLLGATE_OUTBOX__BACKOFF_MAX_SECONDS": "2",
    }
    return Site(directory, env, public_url, emulator, notifications_port, clock_file)


@contextlib.contextmanager
def services(site: Site, blocks: list[Block]) -> Iterator[dict[str, subprocess.Popen[bytes]]]:
    """The doc's long-running processes; each is SIGTERMed on the way out (and killed if it hangs)."""
    running = {block.name: site.start(block) for block in blocks}
    try:
        yield running
    finally:
        for process in running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in running.values():
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def logs(site: Site) -> str:
    return "".join(
        f"\n--- {path.name}\n{path.read_text(errors='replace')[-3000:]}" for path in site.directory.glob("*.log")
    )


def walk(site: Site, tmp_path: Path) -> tuple[subprocess.CompletedProcess[str], dict[str, object]]:
    summary = tmp_path / "summary.json"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_")}
    result = subprocess.run(
        [
            *(sys.executable, "-m", "demo", "--json", str(summary)),
            *("--tollgate", site.public_url, "--emulator", site.emulator.url),
            *("--notifications-port", str(site.notifications_port), "--clock-file", str(site.clock_file)),
        ],
        cwd=ROOT,
        env={**clean, "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=420,
    )
    return result, (json.loads(summary.read_text()) if summary.exists() else {})


def scrape(port: int) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """One scrape of a metrics port: {(sample name, labels): value}."""
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", trust_env=False, timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def total(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return sum(value for (sample, have), value in samples.items() if sample == name and set(labels.items()) <= have)


def check_watchable(site: Site, keys: dict[str, str]) -> None:
    """What an operator watches: the metrics ports answer for the deployment, and no secret is in a log."""
    api = scrape(METRICS_PORTS["api"])
    assert total(api, "tollgate_http_requests_total", tenant="imagegen") > 0
    assert total(api, "tollgate_stripe_events_total", tenant="creditshop", outcome="received") > 0
    workers = [scrape(METRICS_PORTS[name]) for name in ("worker-1", "worker-2")]
    processed = [total(samples, "tollgate_stripe_events_total", outcome="processed") for samples in workers]
    assert sum(processed) > 0, processed
    assert sum(total(samples, "tollgate_stripe_events_total", outcome="dead") for samples in workers) == 0

    bootstrap = {
        name: (site.directory / "secrets" / name).read_text().strip() for name in ("vault_role_id", "vault_secret_id")
    }
    secrets = demo_secrets() | {f"newapp {kind} key": key for kind, key in keys.items()} | bootstrap
    secrets["Vault token"] = site.env["VAULT_TOKEN"]
    logged = "".join(path.read_text(errors="replace") for path in site.directory.glob("*.log"))
    assert [where for where, secret in secrets.items() if secret in logged] == []
    requests = [line for line in logged.splitlines() if line.startswith('{"') and '"event": "request"' in line]
    assert requests, "the API logs one JSON line per request"
    assert all(json.loads(line).get("request_id") for line in requests)


WALKED = ("imagegen", "automate", "fiko", "quickscale", "creditshop")


def check_money_in_stripe(site: Site) -> None:
    """What an operator runs after a busy day: every payment, refund and dispute of the walks in Stripe is
    explained by a grant or clawback (the installed `tollgate audit stripe`), and reading each tenant's
    events back finds nothing lost (`tollgate stripe backfill`)."""
    for slug in WALKED:
        audit = subprocess.run(
            site.shell(f"tollgate audit stripe {slug} --since 2020-01-01 --until 2100-01-01"),
            cwd=site.directory,
            env=site.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert audit.returncode == 0, f"audit of {slug}:\n{audit.stdout}\n{audit.stderr}"
        backfill = subprocess.run(
            site.shell(f"tollgate stripe backfill {slug} --since 30d"),
            cwd=site.directory,
            env=site.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert backfill.returncode == 0, f"backfill of {slug}:\n{backfill.stdout}\n{backfill.stderr}"
        assert ", 0 the inbox lacked, stored" in backfill.stdout, backfill.stdout


def new_tenant_keys(output: str) -> dict[str, str]:
    """The service and admin keys `tollgate tenants add` printed (once)."""
    found = dict(re.findall(r"\b(service|admin)\b[^\n]*?\b(tg_newapp_\w+)", output))
    assert set(found) == {"service", "admin"}, output
    return found


def test_the_documented_deployment_serves_the_five_tenants_and_stops_on_sigterm(site: Site, tmp_path: Path) -> None:
    blocks = deploy_blocks(DOC.read_text())
    before_services = blocks[: blocks.index(next(b for b in blocks if b.kind == "service"))]
    outputs = {block.name: site.run(block) for block in before_services}
    keys = new_tenant_keys(outputs["add-tenant"].stdout)

    with services(site, [block for block in blocks if block.kind == "service"]) as running:
        for block in blocks[len(before_services) :]:
            if block.kind == "step":
                site.run(block)
        result, summary = walk(site, tmp_path)
        assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:] + logs(site)
        check_the_five_walks(summary)
        check_money_in_stripe(site)

        # The onboarded tenant answers its own keys, and only its own.
        with httpx.Client(base_url=site.public_url, trust_env=False, timeout=30) as http:
            service = {"Authorization": f"Bearer {keys['service']}"}
            made = http.put("/t/newapp/v1/customers/first", json={"email": "first@newapp.example"}, headers=service)
            assert made.status_code in (200, 201), made.text
            balance = http.get("/t/newapp/v1/customers/first/balance", headers=service)
            assert (balance.status_code, balance.json()["balance"]) == (200, 0), balance.text
            elsewhere = http.get("/t/imagegen/v1/tiers", headers={"Authorization": f"Bearer {keys['admin']}"})
            assert elsewhere.status_code == 401, elsewhere.text

        check_watchable(site, keys)
        for name, process in running.items():
            assert process.poll() is None, f"{name} exited early with {process.returncode}:{logs(site)}"
            process.send_signal(signal.SIGTERM)
        codes = {}
        for name, process in running.items():
            try:
                codes[name] = process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                codes[name] = None
        assert codes == dict.fromkeys(running, 0), f"{codes}{logs(site)}"
    # What the five walks and the onboarding wrote holds together: every invariant of every account.
    verified = run_blocking(lambda: verify_database(site.env["TOLLGATE_DATABASE__URL"]))
    assert [v.line() for v in verified.violations] == [], verified.counts
    assert verified.accounts > 0
