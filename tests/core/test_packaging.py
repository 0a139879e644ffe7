"""What ships: the wheel and the image carry core, plugins and tenants, never the Stripe emulator,
the tests, the demo or the secrets file.

The wheel is built from a copy of this checkout (setuptools reuses and packs whatever its build/
directory holds, so building here could pass on stale files or race another run).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_COPIED = (".git", ".venv", "build", "var", "*.egg-info", ".*_cache", ".hypothesis", "__pycache__")
NOT_SHIPPED = ("stripe_emulator", "tests", "demo")


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    source = tmp_path_factory.mktemp("checkout") / "tollgate"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_COPIED), symlinks=True)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = out.glob("tollgate-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        return archive.namelist()


def test_the_wheel_holds_the_product_packages_only(wheel_files: list[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_files if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"core", "plugins", "tenants"}
    for module in ("core/app.py", "core/cli.py", "plugins/subscriptions/__init__.py", "tenants/registry.py"):
        assert module in wheel_files


def test_the_wheel_leaves_out_the_emulator_tests_demo_and_secrets(wheel_files: list[str]) -> None:
    for name in wheel_files:
        assert not name.startswith(tuple(f"{top}/" for top in NOT_SHIPPED)), name
        assert "/stripe_emulator/" not in f"/{name}", name
        assert Path(name).name not in (".secrets.toml", ".secrets.local.toml"), name


def test_the_image_copies_no_emulator_tests_or_demo() -> None:
    copied = [
        source
        for line in (ROOT / "Dockerfile").read_text().splitlines()
        if line.split()[:1] == ["COPY"]
        for source in line.split()[1:-1]
        if not source.startswith("--")
    ]
    assert {"core", "plugins", "tenants"} <= set(copied)
    for source in copied:
        assert source.removeprefix("./").split("/")[0] not in NOT_SHIPPED, source
