"""The source IP of an audit record behind a proxy: X-Forwarded-For counts only from `server.trusted_proxies`.

The app is served by uvicorn as `tollgate run` serves it (`ServerConfig.uvicorn_proxy_options`), on
127.0.0.1: the direct peer of every request here is 127.0.0.1. One test runs `tollgate run` itself.
"""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.app import create_app
from core.errors import SettingsError
from tests.core.test_shutdown import start_server
from tests.inbox.processes import write_settings
from tests.support.app import live_server
from tests.support.services import free_port
from tests.support.tenants import auth, secrets_document, tenant_block

CLIENT = "203.0.113.7"


@pytest.mark.parametrize(
    ("trusted", "forwarded", "source_ip"),
    [
        ([], CLIENT, "127.0.0.1"),  # no proxy is trusted: the header is anyone's to send
        (["10.0.0.0/8"], CLIENT, "127.0.0.1"),  # the peer is not a trusted proxy
        (["127.0.0.1"], CLIENT, CLIENT),
        # The rightmost address no trusted proxy added; what the client itself sent before it is ignored.
        (["127.0.0.0/8", "10.0.0.0/8"], f"198.51.100.9, {CLIENT}, 10.1.2.3", CLIENT),
        (["127.0.0.1", "::1"], None, "127.0.0.1"),  # a trusted peer that forwards nothing is the client
    ],
)
async def test_the_client_behind_trusted_proxies_is_recorded(
    runtime: Any, make_runtime: Any, trusted: list[str], forwarded: str | None, source_ip: str
) -> None:
    served = make_runtime(server={"trusted_proxies": trusted})
    options = served.config.server.uvicorn_proxy_options()
    headers = auth("alpha") | ({"X-Forwarded-For": forwarded} if forwarded else {})
    async with live_server(create_app(served), **options) as url, httpx.AsyncClient(base_url=url) as http:
        r = await http.put("/t/alpha/v1/customers/acme", json={}, headers=headers)
        assert r.status_code == 201, r.text
        r = await http.get("/t/alpha/v1/admin/audit", params={"limit": 1}, headers=auth("alpha", "admin"))
    [newest] = r.json()["data"]
    assert (newest["action"], newest["source_ip"]) == ("customer.create", source_ip)


def test_a_trusted_proxy_must_be_an_address_or_a_network(make_runtime: Any) -> None:
    with pytest.raises(SettingsError, match="'proxy.internal' is not an IP address or network"):
        make_runtime(server={"trusted_proxies": ["10.0.0.0/8", "proxy.internal"]})


async def test_tollgate_run_hands_its_trusted_proxies_to_uvicorn(runtime: Any, tmp_path: Path) -> None:
    settings = {
        "database": {"url": runtime.config.database.url},
        "jobs": {"broker": "memory", "embedded_scheduler": False},
        "secrets": {"backend": "settings"},
        # uvicorn alone would trust 127.0.0.1 only, and take 10.1.2.3 for the client.
        "server": {"trusted_proxies": ["127.0.0.1", "10.0.0.0/8"]},
        "tenants": {"alpha": tenant_block("Alpha App")},
        "tenant_secrets": {"alpha": secrets_document("alpha")},
    }
    server = start_server(write_settings(tmp_path / "settings.json", settings), tmp_path / "run.log", free_port())
    try:
        async with httpx.AsyncClient(base_url=server.base) as http:
            headers = auth("alpha") | {"X-Forwarded-For": f"{CLIENT}, 10.1.2.3"}
            r = await http.put("/t/alpha/v1/customers/acme", json={}, headers=headers)
            assert r.status_code == 201, r.text
            r = await http.get("/t/alpha/v1/admin/audit", params={"limit": 1}, headers=auth("alpha", "admin"))
    finally:
        server.process.send_signal(signal.SIGTERM)
        server.process.wait(30)
    assert r.json()["data"][0]["source_ip"] == CLIENT, server.log_tail()
