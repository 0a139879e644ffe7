"""Every operation of the tenant API as the served OpenAPI document lists it, ready to be called.

The document is the list a client sees, so a route that exists is tried here whether or not a
test names it. A mutating operation needs a sample body in `BODIES` (a test fails when one is
missing), so a new route is tried with a body that would pass.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from core.access import SCHEMES, Caller

OWN = "cust-1"
OTHER = "cust-2"
OK = "https://app.example/ok"
# Path parameters other than the tenant and the customer: ids that name nothing (a refused call never
# looks them up; an admitted one answers 404 for them, which is not the guard's answer).
PATH_VALUES = {"model_id": "flux-dev", "run_id": str(uuid.UUID(int=1))}
BODIES: dict[str, Any] = {
    "PUT /customers/{customer_id}": {"email": "cust@example.com", "metadata": {"plan": "x"}},
    "POST /customers/{customer_id}/spend": {"credits": 1},
    "POST /customers/{customer_id}/holds": {"credits": 5},
    "POST /customers/{customer_id}/holds/{hold_id}/capture": {"credits": 1},
    "POST /customers/{customer_id}/grants": {"credits": 5},
    "POST /customers/{customer_id}/clawbacks": {"source": "admin", "source_ref": "ref-1"},
    "PATCH /customers/{customer_id}/subscription": {"tier": "basic"},
    "POST /customers/{customer_id}/checkout/subscription": {"tier": "basic", "success_url": OK},
    "POST /customers/{customer_id}/subscription": {"tier": "basic"},
    "POST /customers/{customer_id}/portal": {"return_url": OK},
    "POST /customers/{customer_id}/orders": {"package": "trial", "currency": "cny", "success_url": OK},
    "POST /orders/{order_id}/refund": {"reason": "requested_by_customer"},
    "POST /customers/{customer_id}/credit-purchases": {"credits": 100, "currency": "usd"},
    "POST /admin/money-audits": {"since": "2026-01-01T00:00:00Z"},
}
PREFIX = "/t/{tenant_slug}/v1"


@dataclass(frozen=True)
class Operation:
    method: str
    template: str  # the path under the tenant prefix, as the document names it
    callers: frozenset[Caller]
    request_schema: dict[str, Any] | None
    parameters: tuple[dict[str, Any], ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    @property
    def per_customer(self) -> bool:
        return "{customer_id}" in self.template

    @property
    def mutating(self) -> bool:
        return self.method in ("POST", "PUT", "PATCH", "DELETE")

    def url(self, tenant: str = "alpha", customer: str = OWN) -> str:
        path = self.template.replace("{customer_id}", customer)
        while "{" in path:
            name = path[path.index("{") + 1 : path.index("}")]
            path = path.replace(f"{{{name}}}", PATH_VALUES.get(name, str(uuid.uuid4())))
        return f"/t/{tenant}/v1{path}"

    @property
    def body(self) -> Any:
        return BODIES.get(self.key)


def operations(document: dict[str, Any]) -> list[Operation]:
    """Every operation under the tenant prefix, with the callers its security requirements admit."""
    by_scheme = {scheme: caller for caller, (scheme, _) in SCHEMES.items()}
    found = []
    for path, item in document["paths"].items():
        if not path.startswith(PREFIX):
            continue
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            callers = frozenset(by_scheme[name] for requirement in op.get("security") or [] for name in requirement)
            body = (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(
                Operation(
                    method=method.upper(),
                    template=path.removeprefix(PREFIX) or "/",
                    callers=callers,
                    request_schema=body,
                    parameters=tuple(op.get("parameters") or []),
                )
            )
    return found


def resolve(document: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any] | None:
    """A request body's object schema, through `$ref` and a nullable `oneOf`."""
    if schema is None:
        return None
    if "$ref" in schema:
        return resolve(document, document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]])
    for option in schema.get("oneOf", []):
        found = resolve(document, option)
        if found is not None and found.get("type") == "object":
            return found
    return schema if schema.get("type") == "object" else None


def field_types(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, set[str]]:
    """Each property of an object schema with the JSON types (and formats) it admits."""
    out: dict[str, set[str]] = {}
    for name, prop in (schema.get("properties") or {}).items():
        kinds: set[str] = set()
        for choice in prop.get("oneOf", [prop]):
            option = resolve(document, choice) or choice
            kind = option.get("type")
            for k in kind if isinstance(kind, list) else [kind]:
                if k:
                    kinds.add(k)
            if option.get("format"):
                kinds.add(option["format"])
        out[name] = kinds
    return out
