"""The OpenAPI document as a file, built from the app without serving it: what the clients are generated from.

`tollgate openapi --output clients/openapi.json` writes what `/schema/openapi.json` serves for the same
settings (`make clients` uses the repository's, with the five reference tenants); the file is committed
beside the generated clients (clients/), so a change to the API shows in review as a change to it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.runtime import Runtime


def build_document(runtime: Runtime) -> dict[str, Any]:
    """The document the app built for `runtime` serves; no connection is opened."""
    from core.app import create_app

    return create_app(runtime).openapi_schema.to_schema()


def render(document: dict[str, Any]) -> str:
    """The document as committed: indented JSON in Litestar's order, ending with a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export(runtime: Runtime, output: Path | None = None) -> str:
    """Write the document to `output` (its folder made when missing) and return its text."""
    text = render(build_document(runtime))
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
    return text
