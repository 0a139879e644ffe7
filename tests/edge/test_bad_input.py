"""Bad input on every route: a stable 4xx naming the mistake, and not one row written.

The cases come from each operation's own schema in the served document (its integer, date-time and
metadata fields, its cursor and date query parameters), so a new route or field is tried too.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from core.access import SERVICE
from core.runtime import Runtime
from tests.edge.routes import OWN, Operation, field_types, operations, resolve
from tests.support.database import row_counts
from tests.support.tenants import auth

pytestmark = pytest.mark.postgres

JSON = {"content-type": "application/json"}
BAD_DATES = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "2030-01-01T00:00:00", "-1180156", "2030-01-01"]
BAD_CURSORS = ["¹", "x", "12", "٣" * 8, base64.urlsafe_b64encode(b"other:1").decode(), "a" * 500]
BAD_METADATA = {
    "long value": {"a": "x" * 501},
    "long key": {"k" * 41: "x"},
    "51 keys": {f"k{i}": "v" for i in range(51)},
    "not a string": {"a": 1},
}


@dataclass
class Case:
    """One bad request and the refusal it must get (`field`: what the error's detail must name)."""

    name: str
    status: int
    code: str
    key: str | None = None
    params: dict[str, Any] | None = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=lambda: dict(JSON))


def headers_for(op: Operation) -> dict[str, str]:
    return auth("alpha") if SERVICE in op.callers else auth("alpha", "admin")


def body_cases(document: dict[str, Any], op: Operation) -> list[Case]:
    base = op.body if isinstance(op.body, dict) else {}

    def with_(name: str, value: Any) -> bytes:
        return json.dumps({**base, name: value}).encode()

    good = json.dumps(base).encode()
    deep_field = json.dumps({**base, "metadata": 0}).replace("0}", "[" * 900 + "]" * 900 + "}").encode()
    cases = [
        Case("text/plain", 415, "unsupported_media_type", body=good, headers={"content-type": "text/plain"}),
        Case(
            "form",
            415,
            "unsupported_media_type",
            body=b"amount=1",
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        Case("no content type", 415, "unsupported_media_type", body=good, headers={}),
        Case("not JSON", 400, "invalid_json", body=b'{"amount": '),
        Case("deep nesting", 400, "invalid_json", body=b"[" * 1000 + b"]" * 1000),
        Case("deep in a field", 400, "invalid_json", body=deep_field),
        Case("many members", 400, "invalid_json", body=json.dumps({f"k{i}": 0 for i in range(3000)}).encode()),
        Case("unknown field", 400, "validation_error", "surprise", body=with_("surprise", 1)),
        Case("9 MiB", 413, "payload_too_large", body=with_("metadata", {"a": "x" * (9 * 1024 * 1024)})),
    ]
    for name, kinds in field_types(document, resolve(document, op.request_schema) or {}).items():
        if "integer" in kinds:
            cases += [
                Case(f"{name}={v!r}", 400, "validation_error", name, body=with_(name, v))
                for v in ("10", 10.0, 1.5, True, "1e3")
            ]
        if "date-time" in kinds:
            cases += [
                Case(f"{name}={v!r}", 400, "validation_error", name, body=with_(name, v))
                for v in [*BAD_DATES, 1767225600]
            ]
        if name == "metadata":
            cases += [
                Case(f"metadata {label}", 400, "validation_error", name, body=with_(name, value))
                for label, value in BAD_METADATA.items()
            ]
    return cases


def query_cases(op: Operation) -> list[Case]:
    cases: list[Case] = []
    for param in op.parameters:
        if param["in"] != "query":
            continue
        name, schema = param["name"], param.get("schema", {})
        options = schema.get("oneOf", [schema])
        if name == "cursor":
            values, code = BAD_CURSORS, "invalid_cursor"
        elif any(s.get("format") == "date-time" for s in options):
            values, code = BAD_DATES, "validation_error"
        elif any(s.get("type") == "integer" for s in options):
            values, code = ["abc", "1.5", "¹"], "validation_error"
        else:
            continue
        key = name if code == "validation_error" else None
        cases += [Case(f"{name}={v!r}", 400, code, key, params={name: v}) for v in values]
    return cases


async def seed(client: httpx.AsyncClient) -> None:
    r = await client.put(f"/t/alpha/v1/customers/{OWN}", json={"email": "c@x.io"}, headers=auth("alpha"))
    assert r.status_code in (200, 201), r.text
    r = await client.post(f"/t/alpha/v1/customers/{OWN}/grants", json={"credits": 100}, headers=auth("alpha", "admin"))
    assert r.status_code == 201, r.text


def check_error(r: httpx.Response, status: int, code: str, key: str | None, what: str) -> None:
    assert r.status_code == status, f"{what}: {r.status_code} {r.text[:300]}"
    error = r.json()["error"]
    assert error["code"] == code, f"{what}: {r.text[:300]}"
    if key is not None:
        keys = [d["key"] for d in error["detail"]]
        assert any(k == key or k.startswith((f"{key}.", f"{key}[")) for k in keys), (what, keys)
    if isinstance(error["detail"], list):
        # Only the caller's mistakes: nothing about parameters the caller did not send.
        assert all(d.get("key") != "tenant_slug" for d in error["detail"]), f"{what}: {error['detail']}"


async def refused_writing_nothing(client: httpx.AsyncClient, runtime: Runtime, op: Operation, cases: list[Case]) -> int:
    before = await row_counts(runtime.engine)
    for case in cases:
        r = await client.request(
            op.method, op.url(), params=case.params, content=case.body, headers={**headers_for(op), **case.headers}
        )
        check_error(r, case.status, case.code, case.key, f"{op.key} {case.name}")
    assert await row_counts(runtime.engine) == before, f"{op.key}: bad input wrote"
    return len(cases)


@pytest.mark.parametrize(("where", "at_least"), [("body", 150), ("query", 30)])
async def test_bad_input_on_every_route(
    client: httpx.AsyncClient, runtime: Runtime, document: dict[str, Any], where: str, at_least: int
) -> None:
    await seed(client)
    tried = 0
    for op in operations(document):
        if where == "body" and op.request_schema is not None:
            assert op.body is not None, f"{op.key}: add a sample body to tests/edge/routes.py BODIES"
        cases = body_cases(document, op) if where == "body" and op.request_schema is not None else []
        cases = query_cases(op) if where == "query" else cases
        tried += await refused_writing_nothing(client, runtime, op, cases)
    assert tried >= at_least


async def test_a_customer_keeps_at_most_fifty_metadata_keys(client: httpx.AsyncClient, runtime: Runtime) -> None:
    url = f"/t/alpha/v1/customers/{OWN}"
    r = await client.put(url, json={"metadata": {f"a{i}": "v" for i in range(40)}}, headers=auth("alpha"))
    assert r.status_code == 201, r.text
    r = await client.put(url, json={"metadata": {f"b{i}": "v" for i in range(11)}}, headers=auth("alpha"))
    check_error(r, 400, "validation_error", "metadata", "51 keys after the merge")
    assert len((await client.get(url, headers=auth("alpha"))).json()["metadata"]) == 40
    # Stripe's rule: an empty value removes its key, which makes room.
    update = {**{f"a{i}": "" for i in range(10)}, **{f"b{i}": "v" for i in range(10)}}
    r = await client.put(url, json={"metadata": update}, headers=auth("alpha"))
    assert r.status_code == 200, r.text
    assert len(r.json()["metadata"]) == 40
    assert "a0" not in r.json()["metadata"]


async def test_good_input_still_passes(client: httpx.AsyncClient) -> None:
    await seed(client)
    spend = await client.post(
        f"/t/alpha/v1/customers/{OWN}/spend",
        content=b'{"credits": 3}',
        headers={**auth("alpha"), "content-type": "application/json; charset=utf-8"},
    )
    assert spend.status_code == 201, spend.text
    grant = await client.post(
        f"/t/alpha/v1/customers/{OWN}/grants",
        json={"credits": 5, "expires_at": "2199-12-31T23:59:59+14:00", "metadata": {"k" * 40: "v" * 500}},
        headers=auth("alpha", "admin"),
    )
    assert grant.status_code == 201, grant.text
    capture_without_body = await client.post(
        f"/t/alpha/v1/customers/{OWN}/holds", json={"credits": 2}, headers=auth("alpha")
    )
    hold = capture_without_body.json()["id"]
    r = await client.post(f"/t/alpha/v1/customers/{OWN}/holds/{hold}/capture", headers=auth("alpha"))
    assert r.status_code == 200, r.text
    figures = await client.get(
        "/t/alpha/v1/admin/figures",
        params={"since": "2026-01-01T00:00:00Z", "until": "2199-01-01T00:00:00.5+01:00"},
        headers=auth("alpha", "admin"),
    )
    assert figures.status_code == 200, figures.text
