"""The console's security headers: a strict Content-Security-Policy and no framing, on every kind of answer
(a page, a refused page, a redirect to sign in, the stylesheet), and pages that need nothing it forbids."""

from __future__ import annotations

import re

import httpx
import pytest

from core.console.headers import CONTENT_SECURITY_POLICY
from core.runtime import Runtime
from tests.console.conftest import CUSTOMER, Seeded, admin_key, sign_in


def assert_secured(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"  # so no script-src: no script runs, inline or not
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["form-action"] == "'self'"
    assert "unsafe-inline" not in csp and "http" not in csp  # nothing from elsewhere, no CDN
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_every_kind_of_console_answer_carries_the_headers(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    signed_out = await client.get("/console/t/alpha/", follow_redirects=False)
    assert signed_out.status_code == 303
    assert_secured(signed_out)
    assert_secured(await client.get("/console/sign-in"))
    assert_secured(await client.get("/console/static/console.css"))
    assert (await sign_in(client, admin_key("alpha"))).status_code == 303
    refused = await client.get("/console/t/beta/")
    assert refused.status_code == 403
    assert_secured(refused)
    assert_secured(await client.get("/console/t/nobody/"))
    api = await client.get("/health/live")
    assert "content-security-policy" not in api.headers  # the API's JSON is not the console's concern


@pytest.mark.parametrize(
    "path",
    [
        "/console/sign-in",
        "/console/t/alpha/",
        "/console/t/alpha/?interval=day",
        "/console/t/alpha/customers",
        f"/console/t/alpha/customers/{CUSTOMER}",
        "/console/t/alpha/webhook-events",
        "/console/t/alpha/notifications",
        "/console/t/alpha/catalog-sync-runs",
    ],
)
async def test_pages_need_nothing_the_policy_forbids(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded, path: str
) -> None:
    assert (await sign_in(client, admin_key("alpha"))).status_code == 303
    page = await client.get(path)
    assert page.status_code == 200, page.text[:500]
    assert_secured(page)
    html = page.text
    assert "<script" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler would be blocked"
    assert not re.search(r"\sstyle\s*=", html), "an inline style attribute would be blocked"
    assert "<style" not in html.lower()
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "everything comes from the console itself"


def test_the_policy_is_one_line_of_known_directives() -> None:
    names = [d.strip().split(" ", 1)[0] for d in CONTENT_SECURITY_POLICY.split(";")]
    assert names == ["default-src", "style-src", "img-src", "form-action", "frame-ancestors", "base-uri"]
