"""The OpenAPI document tells the truth: every error each operation can answer, and the notices sent to apps.

Litestar writes the operations from the routes; `finish` then replaces its error responses (a
`{status_code, detail, extra}` body Tollgate never sends) with the real one, the `Error` schema, under
every status the operation can answer. The codes come from the route's kind (a tenant route
authenticates, looks the tenant and customer up, is rate limited; a route with a body reads JSON)
and from its own declaration (`access(..., errors=(...))`), each with its status and meaning from
the registry (core/error_codes.py). The notification types (`tollgate_notification_types`) become
the document's `webhooks`, with the payload, its `data` as the type's declared Struct (a component
of its own, with its examples), and the Standard Webhooks headers.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, Final, get_args, get_type_hints

import msgspec
from litestar._openapi.datastructures import SchemaRegistry
from litestar._openapi.plugin import OpenAPIPlugin
from litestar._openapi.schema_generation import SchemaCreator
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.spec import (
    Example,
    OpenAPI,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    RequestBody,
    Schema,
)
from litestar.routes import HTTPRoute
from litestar.typing import FieldDefinition

from core.access import declared_errors
from core.fields import METADATA_MAX_KEY_LENGTH, METADATA_MAX_KEYS, METADATA_MAX_VALUE_LENGTH, Metadata
from core.idempotency.keys import HEADER as IDEMPOTENCY_HEADER
from core.lists import Page
from core.plugins import is_kernel

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar.config.app import AppConfig
    from litestar.handlers import HTTPRouteHandler
    from litestar.plugins import PluginProtocol

    from core.error_codes import ErrorCodes
    from core.notifications.types import NotificationType

ERROR_SCHEMA: Final = "Error"
ERROR_REF: Final = f"#/components/schemas/{ERROR_SCHEMA}"
NOTIFICATION_SCHEMA: Final = "NotificationPayload"
JSON: Final = "application/json"
# The class attribute holding a wire schema's examples (`schema_examples: ClassVar[Examples]`, core/fields.py).
EXAMPLES: Final = "schema_examples"
# The path parameter naming the tenant app's customer (its name before and after the path convention).
CUSTOMER_PARAMETERS: Final = ("customer_id", "customer")

# What every tenant route can answer before its handler runs: authentication (401), the caller's kind
# (403), the tenant (404), the rate limits (429), and what cannot be reached (503).
TENANT_ROUTE_CODES: Final = (
    "unauthorized",
    "invalid_api_key",
    "invalid_token",
    "token_expired",
    "insufficient_scope",
    "tenant_not_found",
    "rate_limited",
    "database_unavailable",
    "secrets_unavailable",
    "shutting_down",
)
# What the input guard (core/input.py) and the body limit answer for a route that takes a body.
BODY_CODES: Final = ("validation_error", "invalid_json", "payload_too_large", "unsupported_media_type")
# Query and header parameters are typed: a wrong one is refused before the handler.
PARAMETER_CODES: Final = ("validation_error",)
# What a route taking `Idempotency-Key` (core.deps.IdempotencyKey) answers of the key itself.
IDEMPOTENCY_CODES: Final = ("invalid_idempotency_key", "idempotency_key_reused")
# A list's cursor of the right shape may still be one the list never handed out.
CURSOR_PARAMETER: Final = "cursor"
LIST_CODES: Final = ("invalid_cursor",)
# Any operation can fail on Tollgate's side; the answer then carries no internals.
EVERY_ROUTE_CODES: Final = ("internal_error",)
# Statuses whose answers say when to retry.
RETRY_AFTER_STATUSES: Final = frozenset({429, 503})

ERROR_BODY: Final = Schema(
    type=OpenAPIType.OBJECT,
    required=["error"],
    properties={
        "error": Schema(
            type=OpenAPIType.OBJECT,
            required=["code", "message", "detail"],
            description="What went wrong.",
            properties={
                "code": Schema(
                    type=OpenAPIType.STRING,
                    description="A stable code; each response lists the codes it can carry, with their meaning.",
                ),
                "message": Schema(type=OpenAPIType.STRING, description="What went wrong, for a person."),
                "detail": Schema(description="What helps to put it right (the fields at fault, limits), or null."),
            },
        )
    },
    description='Every 4xx and 5xx answer: `{"error": {"code", "message", "detail"}}`.',
)
NOTIFICATION_PAYLOAD: Final = Schema(
    type=OpenAPIType.OBJECT,
    required=["id", "type", "timestamp", "tenant", "data"],
    properties={
        "id": Schema(type=OpenAPIType.STRING, description="The notice's id, also its `webhook-id` header."),
        "type": Schema(type=OpenAPIType.STRING, description="The notification type."),
        "timestamp": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE_TIME, description="When it happened."),
        "tenant": Schema(type=OpenAPIType.STRING, description="The tenant's slug."),
        "data": Schema(type=OpenAPIType.OBJECT, description="The type's own fields (docs/webhooks.md)."),
    },
    description="The body of a notice to the tenant app (core/notifications, the Standard Webhooks convention).",
    examples=[
        {
            "id": "2b4d6f8a-0c1e-4a5b-9d7f-1a3c5e7b9d0f",
            "type": "credits.low",
            "timestamp": "2026-03-02T18:30:00Z",
            "tenant": "automate",
            "data": {"customer": "acme", "balance": 80, "threshold": 100},
        }
    ],
)
STANDARD_WEBHOOKS_HEADERS: Final = (
    ("webhook-id", "The notice's id: the same on every retry, so drop one already handled."),
    ("webhook-timestamp", "Seconds since the epoch at this attempt; refuse one minutes away from now."),
    (
        "webhook-signature",
        "`v1,<base64 HMAC-SHA256 of '<webhook-id>.<webhook-timestamp>.<body>'>` with the tenant's "
        "notification secret (Standard Webhooks); several signatures are separated by spaces.",
    ),
)


FINISH_KEY: Final = "openapi_finish"
Finish = Callable[[OpenAPI, Iterable[HTTPRoute]], None]


def install(
    app_config: AppConfig,
    codes: ErrorCodes,
    notification_types: Mapping[str, NotificationType],
    tenant_prefix: str,
) -> None:
    """What finishes the app's documents (see the module's docstring); `finish_documents` puts it to work."""

    def finish(openapi: OpenAPI, routes: Iterable[HTTPRoute]) -> None:
        routes = list(routes)
        describe_errors(openapi, routes, codes, tenant_prefix)
        forbid_unknown_fields(openapi, routes)
        schemas = openapi.components.schemas if openapi.components.schemas is not None else {}
        data_refs, data_schemas = notification_data_schemas(notification_types)
        if clash := set(data_schemas) & set(schemas):
            raise ValueError(f"notification data Structs named like API schemas: {sorted(clash)}; rename them")
        openapi.components.schemas = {**schemas, **data_schemas}
        for schema in _schemas(openapi):
            constrain_what_the_server_checks(schema)
        openapi.webhooks = dict(notification_webhooks(notification_types, data_refs))
        openapi.components.schemas = {
            **openapi.components.schemas,
            ERROR_SCHEMA: ERROR_BODY,
            NOTIFICATION_SCHEMA: NOTIFICATION_PAYLOAD,
        }

    app_config.state[FINISH_KEY] = finish


def finish_documents(app: Litestar) -> Litestar:
    """Have the app's OpenAPI plugin finish every document it builds, served or read (`app.openapi_schema`).

    Litestar offers no step after it has built a document, and finds its plugin by its exact type,
    so the plugin becomes the subclass below in place (same slots), once the app has registered it.
    """
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = FinishedOpenAPIPlugin
    return app


class DescribedStructSchemaPlugin(StructSchemaPlugin):
    """Litestar's schema of a msgspec Struct, with what the Struct says of itself.

    Litestar takes the fields' `Meta(description=...)` but neither the Struct's docstring nor examples
    for the Struct as a whole: here its own docstring becomes the schema's description and its own
    `schema_examples` the schema's examples. A `Page[T]` shows the first example of `T` as a page.
    """

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: SchemaCreator) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        struct = field_definition.origin or field_definition.type_
        own = vars(struct)
        if isinstance(doc := own.get("__doc__"), str):
            schema.description = inspect.cleandoc(doc)
        examples = own.get(EXAMPLES)
        if examples is None and struct is Page and field_definition.args:
            items = vars(field_definition.args[0]).get(EXAMPLES) or ()
            examples = [{"data": list(items[:1]), "has_more": False, "next_cursor": None}] if items else None
        if examples:
            schema.examples = list(examples)
        if isinstance(struct, type) and issubclass(struct, msgspec.Struct):
            describe_metadata(struct, schema)
            constrain_optional_fields(struct, schema)
        return schema


# What Litestar drops from an optional field (`Annotated[str, Meta(...)] | None`), and msgspec keeps, by
# the type of the branch that declares it.
BRANCH_CONSTRAINTS: Final = {
    "string": {"pattern": "pattern", "minLength": "min_length", "maxLength": "max_length"},
    "integer": {
        "minimum": "minimum",
        "maximum": "maximum",
        "exclusiveMinimum": "exclusive_minimum",
        "exclusiveMaximum": "exclusive_maximum",
    },
}
BRANCH_TYPES: Final = {"string": OpenAPIType.STRING, "integer": OpenAPIType.INTEGER}


def constrain_optional_fields(struct: type[msgspec.Struct], schema: Schema) -> None:
    """Give an optional field's string or integer branch the pattern, lengths or bounds its type declares.

    Litestar writes `oneOf: [{type: string}, {type: null}]` without them, so the document let through
    an empty or malformed `cancel_url`, or a `quantity` of -5, that the server refuses (400
    `validation_error`).
    """
    _, components = msgspec.json.schema_components([struct], ref_template="{name}")
    own = components.get(struct.__name__, {}).get("properties", {})
    for name, prop in (schema.properties or {}).items():
        if not isinstance(prop, Schema):
            continue
        for kind, constraints in BRANCH_CONSTRAINTS.items():
            declared = [b for b in own.get(name, {}).get("anyOf", ()) if b.get("type") == kind]
            branches = [b for b in prop.one_of or () if isinstance(b, Schema) and b.type == BRANCH_TYPES[kind]]
            if len(declared) == 1 and len(branches) == 1:
                for key, attribute in constraints.items():
                    if key in declared[0] and getattr(branches[0], attribute) is None:
                        setattr(branches[0], attribute, declared[0][key])


def describe_metadata(struct: type[msgspec.Struct], schema: Schema) -> None:
    """Give the Struct's `Metadata` fields the limits Litestar drops from a dict's key and value types.

    Without them the document lets through a 41-character key, an empty one, a 51st key or a
    501-character value, which the server refuses (400 `validation_error`).
    """
    hints = get_type_hints(struct, include_extras=True)
    for field in msgspec.structs.fields(struct):
        prop = (schema.properties or {}).get(field.encode_name)
        if hints.get(field.name) == Metadata and isinstance(prop, Schema):
            prop.property_names = Schema(type=OpenAPIType.STRING, min_length=1, max_length=METADATA_MAX_KEY_LENGTH)
            prop.additional_properties = Schema(type=OpenAPIType.STRING, max_length=METADATA_MAX_VALUE_LENGTH)
            prop.max_properties = METADATA_MAX_KEYS


def described(plugin: PluginProtocol) -> PluginProtocol:
    """`plugin`, or the plugin that describes Structs in its place when it is Litestar's own Struct plugin."""
    return DescribedStructSchemaPlugin() if type(plugin) is StructSchemaPlugin else plugin


class FinishedOpenAPIPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, whose documents are finished once Litestar has built them."""

    __slots__ = ()

    def _build_openapi(self) -> OpenAPI:
        built = super()._build_openapi()
        finish: Finish = self.app.state[FINISH_KEY]
        finish(built, self.included_routes.values())
        return FinishedOpenAPI(**{f.name: getattr(built, f.name) for f in dataclasses.fields(built)})


@dataclasses.dataclass
class FinishedOpenAPI(OpenAPI):
    """The document, written out with the null values of its examples (Litestar drops null values).

    The error examples get back their `"detail": null`, and each schema its examples as written.
    """

    def to_schema(self) -> dict[str, Any]:
        document = super().to_schema()
        for name, schema in (self.components.schemas or {}).items():
            if schema.examples:
                document["components"]["schemas"][name]["examples"] = schema.examples
        for item in document.get("paths", {}).values():
            for operation in item.values():
                for response in (operation.get("responses") or {}).values() if isinstance(operation, dict) else ():
                    examples = response.get("content", {}).get(JSON, {}).get("examples", {})
                    for example in examples.values():
                        error = example.get("value", {}).get("error")
                        if isinstance(error, dict):
                            error.setdefault("detail", None)
        return document


def describe_errors(openapi: OpenAPI, routes: Iterable[HTTPRoute], codes: ErrorCodes, tenant_prefix: str) -> None:
    """Give every operation of `routes` one response per status it can answer, in the `Error` body."""
    for route in routes:
        item = (openapi.paths or {}).get(route.path_format or "/")
        if not isinstance(item, PathItem):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            for method in handler.http_methods:
                operation = getattr(item, method.lower(), None)
                if isinstance(operation, Operation):
                    answers = operation_codes(route, handler, operation, tenant_prefix)
                    own = [str(status) for status in handler.responses or {}]
                    set_error_responses(operation, answers, codes, own)


def operation_codes(route: HTTPRoute, handler: HTTPRouteHandler, operation: Operation, tenant_prefix: str) -> list[str]:
    """Every error code the operation can answer: its route kind's, then its own declaration's."""
    found: list[str] = []
    if route.path.startswith(tenant_prefix):
        found += TENANT_ROUTE_CODES
        if any(name in route.path_parameters for name in CUSTOMER_PARAMETERS):
            found.append("customer_not_found")
        plugin = handler.opt.get("plugin")
        if isinstance(plugin, str) and not is_kernel(plugin):
            found.append("plugin_not_enabled")
        if operation.request_body is not None:
            found += BODY_CODES
    if any(isinstance(p, Parameter) and p.param_in != "path" for p in operation.parameters or []):
        found += PARAMETER_CODES
    if any(isinstance(p, Parameter) and p.name == IDEMPOTENCY_HEADER for p in operation.parameters or []):
        found += IDEMPOTENCY_CODES
    if any(isinstance(p, Parameter) and p.name == CURSOR_PARAMETER for p in operation.parameters or []):
        found += LIST_CODES
    found += declared_errors(handler.opt)
    found += EVERY_ROUTE_CODES
    return list(dict.fromkeys(found))


def forbid_unknown_fields(openapi: OpenAPI, routes: Iterable[HTTPRoute]) -> None:
    """Mark the request bodies that refuse unknown fields (`forbid_unknown_fields=True`) `additionalProperties: false`.

    Litestar's schema of a Struct says nothing of unknown fields, so a client (or a fuzzer) reading the
    document would think extra fields are ignored, when the input guard refuses them (400).
    """
    schemas = openapi.components.schemas or {}
    for route in routes:
        for handler in route.route_handlers:
            data = handler.parsed_fn_signature.parameters.get("data")
            for struct in _structs(data.annotation if data is not None else None):
                schema = schemas.get(struct.__name__)
                if struct.__struct_config__.forbid_unknown_fields and isinstance(schema, Schema):
                    schema.additional_properties = False


def constrain_what_the_server_checks(schema: Schema) -> None:
    """Put where a generator reads them the constraints Litestar writes where it does not.

    An integer's bounds become integers (Litestar writes `minimum: 1.0`, and a generator then sends
    `57.0`, which the server refuses as not an integer); a string's pattern and lengths set beside
    `oneOf` (an optional parameter, `str | None`) move into its string branch, where they apply.
    """
    if schema.type == OpenAPIType.INTEGER:
        for bound in ("minimum", "maximum"):
            value = getattr(schema, bound)
            if isinstance(value, float) and value.is_integer():
                setattr(schema, bound, int(value))
    strings = [b for b in schema.one_of or () if isinstance(b, Schema) and b.type == OpenAPIType.STRING]
    if len(strings) == 1 and (
        schema.pattern is not None or schema.min_length is not None or schema.max_length is not None
    ):
        branch = strings[0]
        branch.pattern, branch.min_length, branch.max_length = schema.pattern, schema.min_length, schema.max_length
        schema.pattern = schema.min_length = schema.max_length = None


def _schemas(openapi: OpenAPI) -> Iterable[Schema]:
    """Every schema of the document: the components', the parameters', the bodies', and those inside them."""
    roots: list[Any] = list((openapi.components.schemas or {}).values())
    for item in (openapi.paths or {}).values():
        for operation in (getattr(item, m, None) for m in ("get", "put", "post", "delete", "patch")):
            if not isinstance(operation, Operation):
                continue
            roots += [p.schema for p in operation.parameters or () if isinstance(p, Parameter)]
            if isinstance(operation.request_body, RequestBody):
                roots += [media.schema for media in operation.request_body.content.values()]
    seen: set[int] = set()
    while roots:
        schema = roots.pop()
        if not isinstance(schema, Schema) or id(schema) in seen:
            continue
        seen.add(id(schema))
        yield schema
        roots += [*(schema.properties or {}).values(), *(schema.one_of or ()), *(schema.any_of or ())]
        roots += [*(schema.all_of or ()), schema.items, schema.additional_properties]


def _structs(annotation: Any) -> Iterable[type[msgspec.Struct]]:
    """The Struct types an annotation names, through `Annotated[...]` and unions."""
    if isinstance(annotation, type) and issubclass(annotation, msgspec.Struct):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _structs(arg)


def set_error_responses(
    operation: Operation, answers: Iterable[str], codes: ErrorCodes, own: Iterable[str] = ()
) -> None:
    """Replace Litestar's error responses with one `Error` response per status, listing its codes; a status
    the route describes itself (`responses=`, in a body of its own: readiness's 503) is kept as it is."""
    own = set(own)
    by_status: dict[int, list[str]] = {}
    for code in answers:
        by_status.setdefault(codes[code].status, []).append(code)
    kept = {s: r for s, r in (operation.responses or {}).items() if s in own or not _is_error_status(s)}
    errors = {
        str(status): error_response(status, by_status[status], codes)
        for status in sorted(by_status)
        if str(status) not in own
    }
    operation.responses = {**kept, **errors}


def _is_error_status(status: str) -> bool:
    return status[:1] in ("4", "5")


def error_response(status: int, answers: list[str], codes: ErrorCodes) -> OpenAPIResponse:
    lines = "\n".join(f"- `{code}`: {codes[code].meaning}" for code in answers)
    examples: dict[str, Example | Reference] = {
        code: Example(
            summary=codes[code].meaning,
            value={"error": {"code": code, "message": codes[code].meaning, "detail": None}},
        )
        for code in answers
    }
    headers: dict[str, OpenAPIHeader | Reference] | None = None
    if status in RETRY_AFTER_STATUSES:
        headers = {
            "Retry-After": OpenAPIHeader(
                schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
                description="Seconds until a retry can succeed.",
            )
        }
    return OpenAPIResponse(
        description=f"{HTTPStatus(status).phrase}. Error codes:\n\n{lines}",
        headers=headers,
        content={JSON: OpenAPIMediaType(schema=Reference(ref=ERROR_REF), examples=examples)},
    )


def notification_data_schemas(
    types: Mapping[str, NotificationType],
) -> tuple[dict[str, Reference], dict[str, Schema]]:
    """The declared `data` Structs as components, described like the API's: `{type: reference}`, `{name: schema}`."""
    registry = SchemaRegistry()
    creator = SchemaCreator(plugins=[DescribedStructSchemaPlugin()], schema_registry=registry)
    refs: dict[str, Reference] = {}
    for event_type, declared in sorted(types.items()):
        if declared.data is not None:
            ref = creator.for_field_definition(FieldDefinition.from_annotation(declared.data))
            if isinstance(ref, Reference):
                refs[event_type] = ref
    return refs, registry.generate_components_schemas()


def notification_webhooks(
    types: Mapping[str, NotificationType], data_refs: Mapping[str, Reference]
) -> Iterable[tuple[str, PathItem]]:
    """One webhook per notification type: a signed POST the tenant app receives at `notifications.url`."""
    headers: list[Parameter | Reference] = [
        Parameter(name=name, param_in="header", required=True, schema=Schema(type=OpenAPIType.STRING), description=text)
        for name, text in STANDARD_WEBHOOKS_HEADERS
    ]
    for event_type, declared in sorted(types.items()):
        meaning = declared.meaning
        own: dict[str, Schema | Reference] = {"type": Schema(const=event_type)}
        if (data := data_refs.get(event_type)) is not None:
            own["data"] = data
        body: Any = Schema(
            all_of=[
                Reference(ref=f"#/components/schemas/{NOTIFICATION_SCHEMA}"),
                Schema(type=OpenAPIType.OBJECT, properties=own),
            ]
        )
        operation = Operation(
            operation_id="notification_" + event_type.replace(".", "_").replace("-", "_"),
            tags=["notifications to the tenant app"],
            summary=f"{event_type}: {meaning}",
            description=(
                f"{meaning}\n\nPosted to the tenant's `notifications.url`, signed with the Standard Webhooks "
                "scheme, and retried with backoff until a 2xx answer (docs/webhooks.md)."
            ),
            parameters=headers,
            request_body=RequestBody(content={JSON: OpenAPIMediaType(schema=body)}, required=True),
            responses={"2XX": OpenAPIResponse(description="Received: any 2xx answer ends the retries.")},
        )
        yield event_type, PathItem(post=operation)
