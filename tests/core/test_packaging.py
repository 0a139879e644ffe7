"""What ships: the wheel and the image carry core, plugins and tenants, never the Stripe emulator,
the tests, the demo, the settings or the secrets file (the wheel: tests/core/conftest.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOT_SHIPPED = ("stripe_emulator", "tests", "demo")


@pytest.fixture(scope="module")
def wheel_files(tollgate_wheel: Path) -> list[str]:
    with zipfile.ZipFile(tollgate_wheel) as archive:
        return archive.namelist()


def test_the_wheel_holds_the_product_packages_only(wheel_files: list[str]) -> None:
    tops = {name.split("/")[0] for name in wheel_files if not name.split("/")[0].endswith(".dist-info")}
    assert tops == {"core", "plugins", "tenants"}
    for module in ("core/app.py", "core/cli.py", "plugins/subscriptions/__init__.py", "tenants/registry.py"):
        assert module in wheel_files


def test_the_wheel_leaves_out_the_emulator_tests_demo_settings_and_secrets(wheel_files: list[str]) -> None:
    for name in wheel_files:
        assert not name.startswith(tuple(f"{top}/" for top in NOT_SHIPPED)), name
        assert "/stripe_emulator/" not in f"/{name}", name
        assert Path(name).name not in ("settings.toml", ".secrets.toml", ".secrets.local.toml"), name


def test_the_image_copies_no_emulator_tests_demo_settings_or_secrets() -> None:
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
        assert Path(source).name not in ("settings.toml", ".secrets.toml", ".secrets.local.toml"), source
