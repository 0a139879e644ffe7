"""The committed clients are what `make clients` makes of the app today, and the TypeScript one type-checks.

A route, schema or error changed without `make clients` fails here: the document and both clients are
generated afresh into a temporary folder (clients/generate.py) and compared with clients/, file by file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from clients.generate import CLIENTS, TYPESCRIPT, generate, generated_files

NPM = shutil.which("npm")
needs_npm = pytest.mark.skipif(NPM is None, reason="npm is not installed: the TypeScript client is not checked")
REGENERATE = "the committed clients differ from the app's: run `make clients` and commit clients/"


def npm_installed() -> None:
    """The pinned tools of clients/typescript (`make test` installs them; a bare pytest run does it here)."""
    if not (TYPESCRIPT / "node_modules" / ".bin" / "tsc").exists():
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--silent"], cwd=TYPESCRIPT, check=True)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    into = tmp_path_factory.mktemp("clients")
    if NPM is not None:
        npm_installed()
    generate(into, typescript=NPM is not None)
    return into


def changed(fresh: dict[str, bytes], committed: dict[str, bytes]) -> list[str]:
    return sorted(path for path in fresh.keys() | committed.keys() if fresh.get(path) != committed.get(path))


def test_the_committed_document_is_the_apps(fresh: Path) -> None:
    assert (fresh / "openapi.json").read_text() == (CLIENTS / "openapi.json").read_text(), REGENERATE


def test_the_committed_python_client_is_generated_from_it(fresh: Path) -> None:
    differ = changed(generated_files(fresh / "python"), generated_files(CLIENTS / "python"))
    assert not differ, f"{REGENERATE}; clients/python: {differ[:20]}"


@needs_npm
def test_the_committed_typescript_types_are_generated_from_it(fresh: Path) -> None:
    schema = Path("src") / "schema.d.ts"
    assert (fresh / "typescript" / schema).read_text() == (TYPESCRIPT / schema).read_text(), REGENERATE


@needs_npm
def test_the_typescript_client_and_its_example_type_check() -> None:
    npm_installed()
    result = subprocess.run(
        [NPM, "exec", "--", "tsc", "--noEmit", "--pretty", "false"], cwd=TYPESCRIPT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_operation_has_a_python_function() -> None:
    document = json.loads((CLIENTS / "openapi.json").read_text())
    functions = {path.stem for path in (CLIENTS / "python" / "tollgate_client" / "api").rglob("*.py")}
    missing = [
        f"{method.upper()} {path} ({operation['operationId']})"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if isinstance(operation, dict) and operation.get("operationId") not in functions
    ]
    assert not missing, missing
