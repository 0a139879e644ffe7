"""Every schema of the served document explains itself: each field described, each body shown by a valid example.

Descriptions and examples come from the wire Structs (`Meta(description=...)` on each field, the
Struct's docstring, its `schema_examples`: core/openapi.py); these tests walk the document the app
serves with every plugin enabled, so a field added without words, or an example a schema change
made wrong, fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import jsonschema
import msgspec
import pytest

from core.openapi import EXAMPLES
from tests.edge.test_document import every_operation

JSON = "application/json"
REF = "#/components/schemas/"


@pytest.fixture
async def served(client: httpx.AsyncClient) -> dict[str, Any]:
    return (await client.get("/schema/openapi.json")).json()


def properties(name: str, schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property of `schema`, also those of its inline parts and nested inline objects."""
    for key, prop in (schema.get("properties") or {}).items():
        yield f"{name}.{key}", prop
        yield from properties(f"{name}.{key}", prop)
    for part in ("allOf", "oneOf", "anyOf"):
        for sub in schema.get(part) or []:
            yield from properties(name, sub)


def named(schema: dict[str, Any]) -> str | None:
    """The component a body's schema is (or, optional, one of; a notice's: all of); None for an inline one."""
    for part in [schema, *schema.get("oneOf", []), *schema.get("anyOf", []), *schema.get("allOf", [])]:
        if part.get("$ref", "").startswith(REF):
            return str(part["$ref"]).removeprefix(REF)
    return None


def bodies(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Each request body and success response of the operations and webhooks: where, its media type, its schema."""
    notices = [(f"webhook {name}", "post", item["post"]) for name, item in document.get("webhooks", {}).items()]
    for path, method, op in [*every_operation(document), *notices]:
        content = (op.get("requestBody") or {}).get("content", {}).get(JSON)
        if content:
            yield f"{method} {path} request", content, content["schema"]
        for status, response in op["responses"].items():
            content = (response.get("content") or {}).get(JSON)
            if status.startswith("2") and content:
                yield f"{method} {path} {status}", content, content["schema"]


def test_every_schema_property_is_described(served: dict[str, Any]) -> None:
    schemas = served["components"]["schemas"]
    bare = [
        where
        for name, schema in schemas.items()
        for where, prop in properties(name, schema)
        if not prop.get("description")
    ]
    assert not bare, f"{len(bare)} properties without a description: {bare}"


def test_every_query_and_header_parameter_is_described(served: dict[str, Any]) -> None:
    bare = [
        f"{method} {path} {p['in']} {p['name']}"
        for path, method, op in every_operation(served)
        for p in op.get("parameters") or []
        if p["in"] in ("query", "header") and not p.get("description")
    ]
    assert not bare, bare


def test_every_request_body_and_response_has_an_example(served: dict[str, Any]) -> None:
    """Each body that is a wire Struct shows one (inline bodies, such as `/health/live`'s, are not Structs)."""
    schemas = served["components"]["schemas"]
    missing = sorted(
        {
            f"{name} ({where})"
            for where, content, schema in bodies(served)
            if (name := named(schema)) and not content.get("examples") and not schemas[name].get("examples")
        }
    )
    assert not missing, f"{len(missing)} bodies without an example: {missing}"


def test_every_example_is_valid_against_its_schema(served: dict[str, Any]) -> None:
    invalid = []
    for name, schema in served["components"]["schemas"].items():
        rooted = {**schema, "components": served["components"]}
        for example in schema.get("examples") or []:
            try:
                jsonschema.validate(example, rooted, cls=jsonschema.Draft202012Validator)
            except jsonschema.ValidationError as error:
                invalid.append(f"{name}: {error.message} at {list(error.absolute_path)}")
    assert not invalid, invalid


def structs(base: type[msgspec.Struct] = msgspec.Struct) -> Iterator[type[msgspec.Struct]]:
    for struct in base.__subclasses__():
        yield struct
        yield from structs(struct)


def test_every_example_decodes_as_its_struct(served: dict[str, Any]) -> None:
    """What the JSON schema cannot say (unknown fields refused, date-times parsed) holds too: wire-valid examples."""
    invalid = []
    for struct in set(structs()):
        for example in vars(struct).get(EXAMPLES) or ():
            try:
                msgspec.json.decode(msgspec.json.encode(example), type=struct)
            except msgspec.ValidationError as error:
                invalid.append(f"{struct.__qualname__}: {error}")
    assert not invalid, invalid


def test_the_examples_are_checked_at_all(served: dict[str, Any]) -> None:
    """The walk above sees the examples: the ledger's spend body is one of them (Automate, 20 credits)."""
    spend = served["components"]["schemas"]["SpendCreate"]
    assert spend["examples"] and all(example["credits"] > 0 for example in spend["examples"])
