"""Generate Tollgate's published clients from the app: `make clients` in place, the drift test into a temporary folder.

Writes `<into>/openapi.json` (what the app serves with the repository's settings.toml and its five reference
tenants, built without a server: `tollgate openapi`), `<into>/python` (the `tollgate-client` package,
openapi-python-client) and `<into>/typescript/src/schema.d.ts` (openapi-typescript; the client around the
types, clients/typescript/src/index.ts, is written by hand).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
SETTINGS = ROOT / "settings.toml"
BIN = Path(sys.executable).parent
PYTHON_CONFIG = CLIENTS / "python-client.yaml"
TYPESCRIPT = CLIENTS / "typescript"
OPENAPI_TYPESCRIPT = TYPESCRIPT / "node_modules" / ".bin" / "openapi-typescript"
# What a tool or an install leaves in a client's folder: never generated, never compared.
NOT_GENERATED = frozenset({"__pycache__", ".ruff_cache", ".mypy_cache", ".pytest_cache", "build", "dist"})


def export_document(into: Path) -> Path:
    """`tollgate openapi` in a fresh process: only the installed plugins, none of the caller's TOLLGATE_ settings."""
    document = into / "openapi.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOLLGATE_") and k != "PYTHONPATH"}
    env["TOLLGATE_SETTINGS"] = str(SETTINGS)
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(BIN / "tollgate"), "openapi", "--output", str(document)], cwd=ROOT, env=env, check=True
    )
    return document


def generate_python(document: Path, into: Path) -> Path:
    """The `tollgate-client` package (module `tollgate_client`), formatted by the venv's ruff (its post-hooks)."""
    output = into / "python"
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [
            str(BIN / "openapi-python-client"),
            *("generate", "--path", str(document), "--config", str(PYTHON_CONFIG)),
            *("--meta", "setup", "--output-path", str(output), "--overwrite"),
        ],
        cwd=into,
        env=env,
        check=True,
    )
    return output


def generate_typescript(document: Path, into: Path) -> Path:
    """The TypeScript types of every path and schema (`paths`, `components`) that openapi-fetch reads."""
    if not OPENAPI_TYPESCRIPT.exists():
        raise SystemExit(f"{OPENAPI_TYPESCRIPT} is missing: run `npm ci` in {TYPESCRIPT} (make clients does)")
    output = into / "typescript" / "src" / "schema.d.ts"
    output.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [str(OPENAPI_TYPESCRIPT), str(document), "--output", str(output)], cwd=TYPESCRIPT, check=True
    )
    return output


def generated_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative path, less what tools and installs leave there."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
        and not NOT_GENERATED.intersection(path.relative_to(folder).parts)
        and not any(part.endswith(".egg-info") for part in path.relative_to(folder).parts)
    }


def generate(into: Path, *, typescript: bool = True) -> None:
    into.mkdir(parents=True, exist_ok=True)
    document = export_document(into)
    generate_python(document, into)
    if typescript:
        generate_typescript(document, into)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--into", type=Path, default=CLIENTS, help="Where to write (default: clients/, in place).")
    parser.add_argument("--no-typescript", action="store_true", help="Leave out the TypeScript types.")
    args = parser.parse_args(argv)
    generate(args.into.resolve(), typescript=not args.no_typescript)


if __name__ == "__main__":
    main()
