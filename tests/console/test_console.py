"""The console over HTTP, in process: signing in and out, its cookie, CSRF, tenant isolation, every page."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from core.app import create_app
from core.audit_trail.models import AuditRecord
from core.console.session import COOKIE, Session, Signer
from core.db import session_scope
from core.inbox.models import WebhookEvent
from core.runtime import Runtime
from tests.console.conftest import CUSTOMER, OPERATOR_KEY, Seeded, admin_key, form_token, sign_in
from tests.support.app import asgi_client
from tests.support.jobs import drain
from tests.support.tenants import KEYS, auth


def session_cookie(response: httpx.Response) -> str:
    cookies = [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}=")]
    assert len(cookies) == 1, response.headers.get_list("set-cookie")
    return cookies[0]


async def test_an_admin_key_signs_in_to_its_tenant_with_a_strict_httponly_expiring_cookie(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    assert (await client.get("/console/t/alpha/", follow_redirects=False)).headers["location"] == "/console/sign-in"
    signed_in = await sign_in(client, admin_key("alpha"))
    assert signed_in.status_code == 303
    assert signed_in.headers["location"] == "/console/t/alpha/"
    cookie = session_cookie(signed_in).lower()
    assert "httponly" in cookie
    assert "samesite=strict" in cookie
    assert "max-age=28800" in cookie
    assert "path=/console" in cookie
    assert "secure" not in cookie  # plain http here; https below
    assert KEYS["alpha"]["admin"] not in session_cookie(signed_in)  # the key is never in the cookie
    page = await client.get("/console/t/alpha/")
    assert page.status_code == 200
    assert "Alpha App" in page.text


async def test_over_https_the_cookie_is_secure(runtime: Runtime) -> None:
    async with asgi_client(create_app(runtime), follow_redirects=False) as http:
        http.base_url = httpx.URL("https://tollgate.test")
        assert "secure" in session_cookie(await sign_in(http, admin_key("alpha"))).lower()


@pytest.mark.parametrize(
    ("key", "tenant", "message"),
    [
        ("tg_wrong", "", "not an admin key of any tenant"),
        (KEYS["alpha"]["admin"], "beta", "not an admin key of tenant &#39;beta&#39;"),
        (KEYS["alpha"]["service"], "", "service key of alpha: the console needs an admin key"),
        ("", "", "Enter an admin API key"),
    ],
)
async def test_a_wrong_key_is_refused_with_a_clear_message(
    client: httpx.AsyncClient, key: str, tenant: str, message: str
) -> None:
    refused = await sign_in(client, key, tenant)
    assert refused.status_code == 401
    assert message in refused.text
    assert not [h for h in refused.headers.get_list("set-cookie") if h.startswith(f"{COOKIE}=")]


async def test_sign_in_and_every_form_need_their_csrf_token(client: httpx.AsyncClient, seeded: Seeded) -> None:
    no_token = await client.post("/console/sign-in", data={"key": admin_key("alpha")})
    assert no_token.status_code == 403
    assert (await sign_in(client, admin_key("alpha"))).status_code == 303
    replay = f"/console/t/alpha/webhook-events/{seeded.dead_event}/replay"
    for token in (None, "forged"):
        data = {} if token is None else {"csrf_token": token}
        refused = await client.post(replay, data=data)
        assert refused.status_code == 403
        assert "expired or did not come from this console" in refused.text
        assert (await client.post("/console/sign-out", data=data)).status_code == 403
    # Refused forms changed nothing: the event is still dead, the session still signed in.
    assert "status-dead" in (await client.get("/console/t/alpha/webhook-events")).text


async def test_sign_out_ends_the_session(client: httpx.AsyncClient) -> None:
    await sign_in(client, admin_key("alpha"))
    page = await client.get("/console/t/alpha/")
    out = await client.post("/console/sign-out", data={"csrf_token": form_token(page.text)})
    assert out.status_code == 303
    assert out.headers["location"] == "/console/sign-in"
    assert "max-age=0" in session_cookie(out).lower()
    assert (await client.get("/console/t/alpha/")).headers["location"] == "/console/sign-in"


async def test_a_tenant_session_cannot_read_another_tenants_pages(client: httpx.AsyncClient, seeded: Seeded) -> None:
    await sign_in(client, admin_key("beta"))
    for path in (
        "/console/t/alpha/",
        "/console/t/alpha/customers",
        f"/console/t/alpha/customers/{CUSTOMER}",
        "/console/t/alpha/webhook-events",
        "/console/t/alpha/notifications",
        "/console/t/alpha/catalog-sync-runs",
        f"/console/t/alpha/webhook-events/{seeded.dead_event}/replay",
        "/console/deployment",
    ):
        refused = await client.get(path)
        assert refused.status_code == 403, path
        assert "ada@example.com" not in refused.text
    token = form_token((await client.get("/console/t/beta/")).text)
    replay = await client.post(
        f"/console/t/alpha/webhook-events/{seeded.dead_event}/replay", data={"csrf_token": token}
    )
    assert replay.status_code == 403
    assert (await client.get("/console/t/nowhere/")).status_code == 404


async def test_a_tampered_expired_or_revoked_session_is_signed_out(runtime: Runtime, client: httpx.AsyncClient) -> None:
    signed_in = await sign_in(client, admin_key("beta"))
    value = session_cookie(signed_in).split(";")[0].split("=", 1)[1]
    payload, _, mac = value.rpartition(".")
    signer = Signer(None)  # another deployment's key
    forged = signer.dump(Session("alpha", "x", "0" * 16, 2**40, "t"))
    for cookie in (f"{payload}.{mac[:-2]}AA", forged, "garbage"):
        client.cookies.set(COOKIE, cookie, domain="tollgate.test", path="/console")
        assert (await client.get("/console/t/alpha/")).status_code == 303
    # A session whose key was removed from the secrets ends with it.
    client.cookies.set(COOKIE, value, domain="tollgate.test", path="/console")
    assert (await client.get("/console/t/beta/")).status_code == 200
    runtime.config.tenant_secrets["beta"]["api_keys"] = runtime.config.tenant_secrets["beta"]["api_keys"][:1]
    runtime.secrets.invalidate("beta")
    assert (await client.get("/console/t/beta/")).status_code == 303


async def test_the_operator_key_sees_the_deployment_and_every_tenant(client: httpx.AsyncClient, seeded: Seeded) -> None:
    signed_in = await sign_in(client, OPERATOR_KEY)
    assert signed_in.headers["location"] == "/console/deployment"
    deployment = await client.get("/console/deployment")
    assert deployment.status_code == 200
    text = deployment.text
    for expected in ("database", "broker", "secrets", "Alpha App", "Beta App", "product_sync"):
        assert expected in text
    assert '<a href="/console/t/alpha/webhook-events?status=dead">1</a>' in text
    for slug in ("alpha", "beta"):
        assert (await client.get(f"/console/t/{slug}/")).status_code == 200


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_every_tenant_page_renders_with_data(client: httpx.AsyncClient, seeded: Seeded) -> None:
    await sign_in(client, admin_key("alpha"))
    overview: dict[str, Any] = {}
    for interval in ("day", "week", "month"):
        page = await client.get("/console/t/alpha/", params={"interval": interval})
        assert page.status_code == 200
        overview[interval] = page.text
        assert "<svg" in overview[interval]
    # The grant (500), the spend (120) and the hold (30) this month; 350 spendable now.
    month = overview["month"]
    assert '<dd id="outstanding">350</dd>' in month
    assert '<td class="num">500</td><td class="num">150</td>' in month
    assert (await client.get("/console/t/alpha/", params={"interval": "year"})).status_code == 400
    refused = await client.get("/console/t/alpha/", params={"currency": "xyz"})
    assert (refused.status_code, "not a currency code" in refused.text) == (400, True)
    usd = await client.get("/console/t/alpha/", params={"interval": "week", "currency": "USD"})
    assert usd.status_code == 200
    assert 'value="usd"' in usd.text and "Money figures in USD only" in usd.text

    customers = await client.get("/console/t/alpha/customers", params={"q": "ADA@EX"})
    assert CUSTOMER in customers.text
    assert "bob" not in customers.text
    assert "ada@1" not in (await client.get("/console/t/alpha/customers", params={"q": "nobody"})).text

    customer = await client.get("/console/t/alpha/customers/ada%401")
    assert customer.status_code == 200
    for expected in ('<dd id="balance">350</dd>', "admin", "2199-01-01", "spend", "Holds", "active"):
        assert expected in customer.text
    assert "sa_orm_sentinel" not in customer.text
    assert (await client.get("/console/t/alpha/customers/nobody")).status_code == 404

    events = await client.get("/console/t/alpha/webhook-events", params={"status": "dead"})
    assert seeded.stripe_event in events.text
    assert "made dead by the test" in events.text
    assert (
        seeded.stripe_event
        not in (await client.get("/console/t/alpha/webhook-events", params={"type": "invoice.paid"})).text
    )
    assert (await client.get("/console/t/alpha/webhook-events", params={"status": "lost"})).status_code == 400
    assert (await client.get("/console/t/alpha/notifications")).status_code == 200
    runs = await client.get("/console/t/alpha/catalog-sync-runs")
    assert "succeeded" in runs.text
    assert (await client.get("/console/t/alpha/nothing")).status_code == 404
    assert (await client.get("/console/static/console.css")).status_code == 200
    await sign_in(client, admin_key("beta"))
    assert "has not enabled" in (await client.get("/console/t/beta/catalog-sync-runs")).text


@pytest.mark.parametrize("db_url", ["postgres", "sqlite"], indirect=True)
async def test_replaying_a_dead_event_processes_it_and_is_audited(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    await sign_in(client, admin_key("alpha"))
    confirm = await client.get(f"/console/t/alpha/webhook-events/{seeded.dead_event}/replay")
    assert confirm.status_code == 200
    assert "Replay it" in confirm.text
    done = await client.post(
        f"/console/t/alpha/webhook-events/{seeded.dead_event}/replay", data={"csrf_token": form_token(confirm.text)}
    )
    assert done.status_code == 303
    await drain(runtime)
    async with session_scope(runtime.sessions) as session:
        row = await session.get(WebhookEvent, seeded.dead_event)
        assert row is not None
        assert row.status == "processed"
        records = (await session.scalars(select(AuditRecord).where(AuditRecord.action == "webhook_event.replay"))).all()
    assert [(r.tenant_id, r.principal) for r in records] == [("alpha", "console:alpha-admin")]
    listed = await client.get(done.headers["location"])
    assert "Sent" in listed.text
    assert 'data-status="processed"' in listed.text
    missing = await client.post(
        "/console/t/alpha/webhook-events/00000000-0000-0000-0000-000000000000/replay",
        data={"csrf_token": form_token(confirm.text)},
    )
    assert missing.status_code == 404


def test_the_wheel_ships_the_templates_and_stylesheet(tollgate_wheel: Any) -> None:
    import zipfile

    with zipfile.ZipFile(tollgate_wheel) as archive:
        names = set(archive.namelist())
    assert {"core/console/templates/base.html", "core/console/static/console.css"} <= names


async def test_replaying_a_dead_notification_sends_it_again_and_is_audited(
    runtime: Runtime, client: httpx.AsyncClient, seeded: Seeded
) -> None:
    from core.notifications.models import Notification

    async with session_scope(runtime.sessions) as session:
        notice = (await session.scalars(select(Notification).where(Notification.tenant_id == "alpha"))).first()
        assert notice is not None, "the grant's notice"
        notice.status, notice.attempts = "dead", 8
        notice_id = str(notice.id)
    await sign_in(client, OPERATOR_KEY)
    dead = await client.get("/console/t/alpha/notifications", params={"status": "dead"})
    assert f'id="row-{notice_id}" data-status="dead"' in dead.text
    confirm = await client.get(f"/console/t/alpha/notifications/{notice_id}/replay")
    done = await client.post(
        f"/console/t/alpha/notifications/{notice_id}/replay", data={"csrf_token": form_token(confirm.text)}
    )
    assert done.status_code == 303
    async with session_scope(runtime.sessions) as session:
        row = await session.get(Notification, notice_id)
        assert row is not None
        assert row.status != "dead"
        assert row.attempts <= 1  # a fresh budget (one attempt made if its task ran already)
        records = (await session.scalars(select(AuditRecord).where(AuditRecord.action == "notification.replay"))).all()
    assert [(r.tenant_id, r.principal) for r in records] == [("alpha", "console:operator")]


async def test_what_tenant_apps_wrote_is_shown_escaped(client: httpx.AsyncClient) -> None:
    evil = "<script>alert(1)</script>"
    put = await client.put(
        "/t/alpha/v1/customers/eve", json={"email": "eve@example.com", "name": evil}, headers=auth("alpha")
    )
    assert put.status_code in (200, 201), put.text
    await sign_in(client, admin_key("alpha"))
    for path in ("/console/t/alpha/customers", "/console/t/alpha/customers/eve"):
        page = await client.get(path)
        assert evil not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_sign_in_is_refused_for_a_minute_after_ten_wrong_keys(client: httpx.AsyncClient) -> None:
    for _ in range(10):
        assert (await sign_in(client, "tg_guess")).status_code == 401
    blocked = await sign_in(client, admin_key("alpha"))
    assert blocked.status_code == 429
    assert "Too many refused sign-ins" in blocked.text


def test_the_throttle_forgets_after_a_minute() -> None:
    from core.console.signin import Throttle

    throttle = Throttle(limit=2)
    throttle.refused("a", now=0.0)
    throttle.refused("a", now=1.0)
    assert throttle.blocked("a", now=2.0)
    assert not throttle.blocked("b", now=2.0)
    assert not throttle.blocked("a", now=61.5)
