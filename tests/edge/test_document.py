"""The served OpenAPI document tells the truth: valid 3.1, every error in the real body, the notices as webhooks.

What the document says a route answers is computed from the route (core/openapi.py); these tests
hold it to the registry (core/error_codes.py), to what the guards really answer, and to the
OpenAPI 3.1 schema (openapi-spec-validator).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import httpx
import jsonschema
from openapi_spec_validator import validate

from core.openapi import BODY_CODES, ERROR_REF, NOTIFICATION_SCHEMA, TENANT_ROUTE_CODES
from core.runtime import Runtime
from tests.edge.routes import PREFIX
from tests.support.tenants import auth

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
OPERATION_ID = re.compile(r"^[a-z]+(_[a-z]+)+$")


def every_operation(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def error_responses(op: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {int(status): r for status, r in op["responses"].items() if status[:1] in "45"}


async def test_the_served_document_is_valid_openapi_3_1(client: httpx.AsyncClient) -> None:
    served = (await client.get("/schema/openapi.json")).json()
    assert served["openapi"] == "3.1.0"
    validate(served)


def test_every_operation_has_its_own_snake_case_id(document: dict[str, Any]) -> None:
    ids = [op.get("operationId") for _, _, op in every_operation(document)]
    ids += [op.get("operationId") for item in document.get("webhooks", {}).values() for op in item.values()]
    assert all(ids), "operations without an operationId"
    assert not [i for i, n in Counter(ids).items() if n > 1], "duplicated operationIds"
    assert not [i for i in ids if not OPERATION_ID.match(i)], "auto-generated or not snake_case"


# The one error answer in a body of its own: readiness's 503 says which dependency failed, as its 200 does.
OWN_ERROR_BODIES = {("get", "/health/ready", 503): {"$ref": "#/components/schemas/Readiness"}}


def test_every_error_response_is_the_error_body_with_its_codes(document: dict[str, Any], runtime: Runtime) -> None:
    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    wrong = []
    for path, method, op in every_operation(document):
        for status, response in error_responses(op).items():
            content = response.get("content", {}).get("application/json", {})
            if (method, path, status) in OWN_ERROR_BODIES:
                assert content["schema"] == OWN_ERROR_BODIES[method, path, status]
                continue
            if content.get("schema") != {"$ref": ERROR_REF}:
                wrong.append(f"{method} {path} {status}: not the Error schema")
            examples = content.get("examples") or {}
            if not examples:
                wrong.append(f"{method} {path} {status}: no codes")
            for code, example in examples.items():
                if runtime.error_codes[code].status != status:
                    wrong.append(f"{method} {path} {status}: {code} answers {runtime.error_codes[code].status}")
                if example["value"] != {"error": {"code": code, "message": example["summary"], "detail": None}}:
                    wrong.append(f"{method} {path} {status}: example {code} is not an error body")
                if f"`{code}`" not in response["description"]:
                    wrong.append(f"{method} {path} {status}: {code} not in the description")
    assert not wrong, wrong


def test_every_tenant_operation_declares_what_its_guards_answer(document: dict[str, Any]) -> None:
    missing = []
    for path, method, op in every_operation(document):
        if not path.startswith(PREFIX):
            continue
        declared = {code for r in error_responses(op).values() for code in r["content"]["application/json"]["examples"]}
        wanted = set(TENANT_ROUTE_CODES) | {"internal_error"}
        if "requestBody" in op:
            wanted |= set(BODY_CODES)
        if "{customer_id}" in path or "{customer}" in path:
            wanted.add("customer_not_found")
        if wanted - declared:
            missing.append(f"{method} {path}: {sorted(wanted - declared)}")
    assert not missing, missing


def test_litestar_s_own_error_body_is_nowhere(document: dict[str, Any]) -> None:
    text = str(document["paths"])
    assert "'status_code'" not in text and "'extra'" not in text


async def test_a_real_error_answer_matches_the_documented_one(
    client: httpx.AsyncClient, document: dict[str, Any]
) -> None:
    balance = next(path for path in document["paths"] if path.startswith(PREFIX) and path.endswith("/balance"))
    declared = document["paths"][balance]["get"]["responses"]
    schema = {**document["components"]["schemas"]["Error"], "components": document["components"]}
    url = re.sub(r"\{customer(_id)?\}", "c1", balance)
    answers = {
        401: await client.get(url.replace("{tenant_slug}", "alpha")),
        404: await client.get(url.replace("{tenant_slug}", "nowhere"), headers=auth("alpha")),
    }
    for status, r in answers.items():
        assert r.status_code == status, r.text
        jsonschema.validate(r.json(), schema)
        assert r.json()["error"]["code"] in declared[str(status)]["content"]["application/json"]["examples"]


def test_each_notification_type_is_a_signed_webhook(document: dict[str, Any], runtime: Runtime) -> None:
    webhooks = document["webhooks"]
    assert set(webhooks) == set(runtime.notification_types)
    payload = document["components"]["schemas"][NOTIFICATION_SCHEMA]
    from core.notifications.services import Payload

    assert set(payload["required"]) == set(Payload.__struct_fields__), "the document's payload is the one sent"
    for event_type, item in webhooks.items():
        op = item["post"]
        assert {p["name"] for p in op["parameters"] if p["in"] == "header" and p["required"]} == {
            "webhook-id",
            "webhook-timestamp",
            "webhook-signature",
        }
        body = op["requestBody"]["content"]["application/json"]["schema"]["allOf"]
        assert {"$ref": f"#/components/schemas/{NOTIFICATION_SCHEMA}"} in body
        assert body[1]["properties"]["type"]["const"] == event_type
        assert runtime.notification_types[event_type].meaning in op["description"]


def test_each_notification_type_describes_its_data(document: dict[str, Any], runtime: Runtime) -> None:
    """Every registered type's `data` is its declared Struct's component, described, with valid examples."""
    import jsonschema

    schemas = document["components"]["schemas"]
    for event_type, declared in runtime.notification_types.items():
        assert declared.data is not None, f"{event_type} has no data Struct"
        body = document["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]["schema"]
        ref = body["allOf"][1]["properties"]["data"]["$ref"]
        data = schemas[ref.removeprefix("#/components/schemas/")]
        assert data["description"] and all(p.get("description") for p in data["properties"].values()), event_type
        assert data["examples"], event_type
        for example in data["examples"]:
            jsonschema.validate(example, {**data, "components": document["components"]})
            envelope = {
                "id": "n1",
                "type": event_type,
                "timestamp": "2026-03-02T18:30:00Z",
                "tenant": "t",
                "data": example,
            }
            jsonschema.validate(envelope, {**body, "components": document["components"]})
