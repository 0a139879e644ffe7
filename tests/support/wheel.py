"""The wheel as shipped, built once per session, and that wheel installed outside the repository.

Fixtures, registered by tests/conftest.py for tests/core and tests/deploy.

The wheel is built from a copy of this checkout (setuptools reuses and packs whatever its build/
directory holds, so building here could pass on stale files or race another run). The copy keeps
tests/, demo/ and the emulator, so that the packaging tests see them left out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = (".git", ".venv", "build", "var", "*.egg-info", ".*_cache", ".hypothesis", "__pycache__")


@pytest.fixture(scope="session")
def tollgate_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("checkout") / "tollgate"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = out.glob("tollgate-*.whl")
    return wheel


@pytest.fixture(scope="session")
def installed_tollgate(tollgate_wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site directory holding the installed wheel (its `tollgate` script in bin/): put it first on
    PYTHONPATH and this interpreter imports the installed package, not the checkout."""
    site = tmp_path_factory.mktemp("site")
    install = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", "--target", str(site)]
    subprocess.run([*install, str(tollgate_wheel)], check=True, capture_output=True, timeout=180)
    return site
