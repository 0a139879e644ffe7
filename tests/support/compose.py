"""docker-compose.yml as a container sees it, without Docker: a service's environment, its Docker
secrets and configs as files at their container paths under a local root."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
# The paths compose mounts secrets and configs at; an env var naming one names the local copy instead.
MOUNTED = ("/run/secrets/", "/etc/tollgate/")


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def mounts(service: str) -> dict[str, Path]:
    """Container path -> the repository file compose mounts there (the service's secrets and configs)."""
    spec, top = compose()["services"][service], compose()
    found: dict[str, Path] = {}
    for kind, default_dir in (("secrets", "/run/secrets/"), ("configs", "/")):
        for entry in spec.get(kind, []):
            source, target = (entry, entry) if isinstance(entry, str) else (entry["source"], entry.get("target"))
            target = target or source
            path = target if target.startswith("/") else default_dir + target
            found[path] = ROOT / top[kind][source]["file"]
    return found


def container_env(service: str, root: Path) -> dict[str, str]:
    """The service's environment with its mounts copied under `root`: `${VAR:-default}` is its
    default, a mounted path names the copy. The settings file mounted at /etc/tollgate/settings.toml is
    found there by the container; here TOLLGATE_SETTINGS names its copy (alone, as in the image)."""
    for path, source in mounts(service).items():
        copy = root / path.lstrip("/")
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
    env: dict[str, str] = {}
    for key, value in (compose()["services"][service].get("environment") or {}).items():
        text = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", str(value))
        env[key] = str(root / text.lstrip("/")) if text.startswith(MOUNTED) else text
    settings = root / "etc" / "tollgate" / "settings.toml"
    if settings.exists():
        env["TOLLGATE_SETTINGS"] = str(settings)
    return env
