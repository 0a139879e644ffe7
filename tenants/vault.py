"""Tenants' secrets documents as an operator writes them into Vault (KV v2) with their own token.

`tollgate secrets push`, `tollgate tenants add` and `tollgate stripe connect` write through here;
Tollgate itself only reads (`tenants.secrets.VaultSecretsBackend`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hvac
import hvac.exceptions
import msgspec
from dynaconf import Dynaconf

from core.settings import VaultConfig, to_plain
from tenants.secrets import document_path


def vault_config(settings: Dynaconf) -> VaultConfig:
    """The `[vault]` section of settings not validated as a whole (onboarding runs before a tenant exists)."""
    section = to_plain(settings.get("vault")) or {}
    return msgspec.convert({str(key).lower(): value for key, value in section.items()}, VaultConfig)


def declared_secret_path(settings: Dynaconf, slug: str) -> str | None:
    """The `secret_path` the settings give tenant `slug`, when they give one."""
    tenant = (to_plain(settings.get("tenants")) or {}).get(slug) or {}
    return tenant.get("secret_path") if isinstance(tenant, dict) else None


@dataclass(frozen=True)
class Stored:
    """A document as read, with the version to write the next one over (check-and-set)."""

    data: dict[str, Any]
    version: int


class TenantDocuments:
    """Read and write tenant documents at `<mount>/<path_prefix>/<slug>` (or their `secret_path`)."""

    def __init__(self, config: VaultConfig, token: str) -> None:
        self.config = config
        self.client = hvac.Client(url=config.url, token=token, timeout=config.timeout_seconds)

    def path(self, slug: str, secret_path: str | None = None) -> str:
        return document_path(self.config, slug, secret_path)

    def where(self, path: str) -> str:
        return f"{self.config.mount}/{path}"

    def read(self, path: str) -> Stored | None:
        """The document at `path`; None when there is none (or its last version is deleted)."""
        try:
            response = self.client.secrets.kv.v2.read_secret_version(
                path=path, mount_point=self.config.mount, raise_on_deleted_version=False
            )
        except hvac.exceptions.InvalidPath:
            return None
        data, metadata = response["data"]["data"], response["data"]["metadata"]
        if data is None or metadata.get("deletion_time"):
            return None
        return Stored(dict(data), int(metadata["version"]))

    def write(self, path: str, document: dict[str, Any], *, over: Stored | None = None, new: bool = False) -> None:
        """Write `document` at `path`: over the version read before (`over`), or only where there is
        none yet (`new`), or whatever is there. Vault refuses the write when someone wrote in between."""
        cas = over.version if over is not None else 0 if new else None
        self.client.secrets.kv.v2.create_or_update_secret(
            path=path, secret=document, mount_point=self.config.mount, cas=cas
        )
