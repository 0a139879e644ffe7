"""Settings: dynaconf files and `TOLLGATE_` env vars, validated once, then read as typed structs.

The settings file is named by `TOLLGATE_SETTINGS`, else `./settings.toml`, else
`/etc/tollgate/settings.toml`; the secrets file is `TOLLGATE_SECRETS_FILE`, else `.secrets.toml`
beside the settings file when there is one. The file holds `[default]`, `[development]`,
`[testing]` and `[production]`; the active environment comes from `TOLLGATE_ENV` (development when
unset). Tenants live under `tenants.<slug>` with their enabled plugins and one block per plugin.
Validation runs at start-up: a bad tenant config stops the process with a message that names the
tenant and the key.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from dynaconf import Dynaconf, Validator
from dynaconf.constants import ALL_EXTENSIONS
from dynaconf.validator import ValidationError
from sqlalchemy.engine import make_url

from core.errors import SettingsError

ENV_PREFIX = "TOLLGATE"
SETTINGS_VAR = f"{ENV_PREFIX}_SETTINGS"
SECRETS_FILE_VAR = f"{ENV_PREFIX}_SECRETS_FILE"
# Looked for in this order when TOLLGATE_SETTINGS is unset; never beside the package, which is
# site-packages once installed.
SETTINGS_PLACES = (Path("settings.toml"), Path("/etc/tollgate/settings.toml"))
SECRETS_BESIDE = ".secrets.toml"


class DatabaseConfig(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    # Put into `url` when set, so the URL in the settings file need not hold it.
    password: str | None = None
    echo: bool = False
    pool_size: int = 20
    max_overflow: int = 20


class JobsConfig(msgspec.Struct, forbid_unknown_fields=True):
    broker: Literal["memory", "redis"] = "memory"
    redis_url: str = "redis://127.0.0.1:6379/0"
    queue_name: str = "tollgate"
    consumer_group: str = "tollgate"
    # Redelivery of an unacknowledged task after a worker died; must exceed the longest task.
    idle_timeout_ms: int = 600_000
    # Run cron schedules inside the web process (embedded mode only).
    embedded_scheduler: bool = True
    # On SIGTERM a worker stops reading and gives its running tasks this long to finish; one still
    # running is left unacknowledged, for another worker (with taskiq's 5 s to close, below 30 s).
    shutdown_timeout_seconds: int = 20


class SecretsConfig(msgspec.Struct, forbid_unknown_fields=True):
    backend: Literal["settings", "vault"] = "settings"
    ttl_seconds: float = 300.0
    # How long a failed read is answered from memory (503) before the backend is asked again.
    failure_ttl_seconds: float = 5.0


class VaultConfig(msgspec.Struct, forbid_unknown_fields=True):
    url: str = "http://127.0.0.1:8200"
    auth: Literal["token", "approle"] = "token"
    token: str | None = None
    role_id: str | None = None
    secret_id: str | None = None
    mount: str = "secret"
    path_prefix: str = "tollgate/tenants"
    timeout_seconds: float = 5.0


class StripeConfig(msgspec.Struct, forbid_unknown_fields=True):
    # Empty means Stripe itself; tests and the offline demo point it at the emulator.
    api_base: str | None = None
    max_network_retries: int = 3
    timeout_seconds: float = 20.0


class RetryPolicy(msgspec.Struct, forbid_unknown_fields=True):
    """Leased work with retries (see core/retries.py): backoff, lease, and when the sweeper re-sends."""

    backoff_base_seconds: float = 30.0
    backoff_max_seconds: float = 6 * 3600.0
    # A claimed row is another worker's to take once this passes (the worker died); keep it below
    # jobs.idle_timeout_ms so the sweeper, not the broker's redelivery, recovers first.
    lease_seconds: float = 120.0
    # A pending row whose task has not started after this long is sent again (the broker lost it).
    requeue_after_seconds: float = 60.0
    # Rows a sweep re-sends per tenant at most (the next sweep, seconds later, takes the rest).
    sweep_batch: int = 500


class InboxConfig(RetryPolicy, forbid_unknown_fields=True):
    """The Stripe webhook inbox (`[inbox]`)."""

    max_attempts: int = 10
    # Stripe's signature tolerance: older deliveries are refused (replay protection).
    tolerance_seconds: int = 300


class OutboxConfig(RetryPolicy, forbid_unknown_fields=True):
    """Delivery of notifications to tenant apps (`[outbox]`); attempts per tenant in its notifications block."""

    timeout_seconds: float = 10.0


class ServerConfig(msgspec.Struct, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    # On SIGTERM the server stops accepting and gives its requests this long to finish before it
    # cancels them and shuts down; below the 30 s an orchestrator waits before SIGKILL.
    graceful_shutdown_seconds: int = 25
    # With `tollgate run --workers N`, how long a worker process may take to start (import, connect,
    # read its secrets) and to answer the supervisor's health check before uvicorn kills and restarts
    # it. uvicorn's own 5 s kills workers in a loop on a loaded host or behind a slow Vault.
    worker_healthcheck_seconds: int = 30
    # The proxies in front of the API (IP addresses or CIDR networks) trusted to say who the client
    # is: a request from one of them comes from the rightmost X-Forwarded-For address that is not one
    # of them. Empty: the direct peer is the client and the header is ignored (anyone can send it).
    trusted_proxies: list[str] = []

    def __post_init__(self) -> None:
        for entry in self.trusted_proxies:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"server.trusted_proxies: {entry!r} is not an IP address or network") from None

    def uvicorn_proxy_options(self) -> dict[str, Any]:
        """uvicorn's own proxy handling, set to `trusted_proxies` (and off without any): it rewrites the
        client address the app sees, so the audit trail needs nothing of its own."""
        return {"proxy_headers": bool(self.trusted_proxies), "forwarded_allow_ips": list(self.trusted_proxies)}


class MetricsConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Prometheus metrics (`[metrics]`): the operator's port, never the API's (docs/operations.md)."""

    enabled: bool = True
    host: str = "127.0.0.1"
    # `tollgate run`'s metrics port; `tollgate worker` serves on `worker_port`.
    port: int = 9100
    worker_port: int = 9101
    # Where the processes of a multi-process command write their figures; empty: a new temporary
    # directory per command. Emptied at start: one per command, never shared by two.
    multiprocess_dir: str = ""


class LoggingConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Log lines (`[logging]`, docs/operations.md): JSON for collectors, or readable console lines."""

    # auto: JSON in production, console lines elsewhere.
    format: Literal["auto", "json", "console"] = "auto"
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class TracingConfig(msgspec.Struct, forbid_unknown_fields=True):
    """OpenTelemetry traces (`[tracing]`, docs/operations.md): off unless enabled."""

    enabled: bool = False
    exporter: Literal["otlp", "console"] = "otlp"
    # OTLP over HTTP (protobuf): a collector's traces endpoint.
    otlp_endpoint: str = "http://127.0.0.1:4318/v1/traces"
    service_name: str = "tollgate"


class RateLimitsConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Requests per minute on the tenant API (`[rate_limits]`, core/rate_limits.py); a tenant's own
    `tenants.<slug>.rate_limits` wins over these. 0: no limit."""

    enabled: bool = True
    # auto: redis when jobs.broker is redis (every API process counts in jobs.redis_url), else memory.
    store: Literal["auto", "memory", "redis"] = "auto"
    key_prefix: str = "tollgate:ratelimit"
    requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 30_000
    per_key_requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 20_000
    per_customer_requests_per_minute: Annotated[int, msgspec.Meta(ge=0)] = 600


class StripeBackfillConfig(msgspec.Struct, forbid_unknown_fields=True):
    """Reading each tenant's Stripe events back (`[stripe_backfill]`, docs/webhooks.md): what a lost
    delivery would have brought is stored through the inbox anyway."""

    enabled: bool = True
    # How often each tenant's events are read back.
    interval_seconds: Annotated[int, msgspec.Meta(ge=60)] = 600
    # Read again from this long before the watermark: an event created just before it may be listed late.
    overlap_seconds: Annotated[int, msgspec.Meta(ge=0)] = 300
    # Stripe keeps events 30 days: warn when a tenant's watermark is older than this.
    behind_warning_seconds: Annotated[int, msgspec.Meta(ge=60)] = 6 * 3600
    # Warn when this many deliveries in a row fail their signature check (a stale webhook secret).
    signature_failures_warning: Annotated[int, msgspec.Meta(ge=1)] = 5
    # With no watermark yet, the first read starts this far back (at most Stripe's 30 days).
    first_lookback_seconds: Annotated[int, msgspec.Meta(ge=0, le=30 * 86400)] = 3 * 86400


class MoneyAuditConfig(msgspec.Struct, forbid_unknown_fields=True):
    """The daily audit of each tenant's money against Stripe (`[money_audit]`, docs/operations.md)."""

    enabled: bool = True
    # Cron (UTC) of the daily run.
    cron: str = "17 3 * * *"
    # The daily run audits the last `lookback_days` days up to now.
    lookback_days: Annotated[int, msgspec.Meta(ge=1, le=30)] = 2


class RetentionConfig(msgspec.Struct, forbid_unknown_fields=True):
    """How long each kind of record is kept (`[retention]`, docs/privacy.md#retention); a tenant's own
    `tenants.<slug>.retention` wins over the periods and `enabled`. Defaults are the seeds' policy."""

    enabled: bool = True
    # Cron (UTC) of the daily run.
    cron: str = "43 2 * * *"
    # Rows pruned per transaction: each batch is short, and a killed run loses one batch at most.
    batch_size: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 500
    # Processed and ignored Stripe events keep their row (id, type, status, times) and lose their body.
    webhook_payload_days: Annotated[int, msgspec.Meta(ge=1)] = 365
    # Delivered notifications are deleted.
    notification_days: Annotated[int, msgspec.Meta(ge=1)] = 365
    # Audit records are deleted (the newest one of each tenant always stays: it anchors the chain).
    audit_days: Annotated[int, msgspec.Meta(ge=1)] = 7 * 365
    # Closed credit holds are deleted; grants, entries and allocations are kept for good.
    ledger_days: Annotated[int, msgspec.Meta(ge=1)] = 7 * 365


class AnalyticsConfig(msgspec.Struct, forbid_unknown_fields=True):
    """The metrics rollup's daily build (`[analytics]`, docs/metrics.md#speed): off, a request builds the days
    it finds missing, at its own cost."""

    rollup: bool = True
    # Cron (UTC) of the daily run: one task per tenant rolls up the day that closed.
    cron: str = "7 0 * * *"


class ConsoleConfig(msgspec.Struct, forbid_unknown_fields=True):
    """The operators' console at `/console/` (`[console]`, docs/console.md): its sessions and operator key."""

    enabled: bool = True
    # How long a signed-in session lasts; signing in again starts a new one.
    session_minutes: Annotated[int, msgspec.Meta(ge=1, le=7 * 24 * 60)] = 480
    # HMAC key signing session cookies (>= 32 bytes). Unset: each process makes a random one at start, so a
    # restart signs everyone out and several processes need it set (TOLLGATE_CONSOLE__SESSION_SECRET_FILE).
    session_secret: str | None = None
    # SHA-256 hex of the deployment operator key (`tollgate secrets hash-key KEY`), which sees every tenant;
    # unset: only tenants' admin keys sign in.
    operator_key_hash: str | None = None

    def __post_init__(self) -> None:
        if self.session_secret is not None and len(self.session_secret.encode()) < 32:
            raise ValueError("console.session_secret must be at least 32 bytes")
        if self.operator_key_hash is not None and not re.fullmatch(r"[0-9a-fA-F]{64}", self.operator_key_hash):
            raise ValueError("console.operator_key_hash must be a SHA-256 hex digest (tollgate secrets hash-key KEY)")


class AppConfig(msgspec.Struct, forbid_unknown_fields=False):
    """The typed view of the settings every part of Tollgate reads."""

    env: str
    database: DatabaseConfig
    jobs: JobsConfig
    secrets: SecretsConfig
    vault: VaultConfig
    stripe: StripeConfig
    server: ServerConfig
    tenants: dict[str, dict[str, Any]]
    tenant_secrets: dict[str, dict[str, Any]]
    inbox: InboxConfig = msgspec.field(default_factory=InboxConfig)
    outbox: OutboxConfig = msgspec.field(default_factory=OutboxConfig)
    metrics: MetricsConfig = msgspec.field(default_factory=MetricsConfig)
    logging: LoggingConfig = msgspec.field(default_factory=LoggingConfig)
    tracing: TracingConfig = msgspec.field(default_factory=TracingConfig)
    rate_limits: RateLimitsConfig = msgspec.field(default_factory=RateLimitsConfig)
    stripe_backfill: StripeBackfillConfig = msgspec.field(default_factory=StripeBackfillConfig)
    money_audit: MoneyAuditConfig = msgspec.field(default_factory=MoneyAuditConfig)
    console: ConsoleConfig = msgspec.field(default_factory=ConsoleConfig)
    retention: RetentionConfig = msgspec.field(default_factory=RetentionConfig)
    analytics: AnalyticsConfig = msgspec.field(default_factory=AnalyticsConfig)


class StructValidator(Validator):  # type: ignore[misc]
    """A dynaconf validator that checks a whole block against a msgspec Struct.

    Plugins use it for their per-tenant config so that a missing or mistyped key is reported
    with its full path, e.g. `tenants.imagegen.subscriptions: Expected int, got str - at $.tiers[0].credits`.
    """

    def __init__(self, key: str, struct: type[msgspec.Struct], *, required: bool = True) -> None:
        super().__init__(key)
        self.key = key
        self.struct = struct
        self.block_required = required

    def validate(self, settings: Any, *args: Any, **kwargs: Any) -> None:
        value = settings.get(self.key)
        if value is None:
            if self.block_required:
                raise ValidationError(f"{self.key} is required")
            value = {}
        try:
            msgspec.convert(to_plain(value), self.struct, strict=True)
        except msgspec.ValidationError as exc:
            raise ValidationError(f"{self.key}: {exc}") from exc


def to_plain(value: Any) -> Any:
    """Dynaconf boxes to plain dicts and lists, keeping key case."""
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def settings_files() -> list[Path]:
    """The settings file, then the secrets file when there is one; SettingsError naming what was looked for."""
    if f"{ENV_PREFIX}_SETTINGS_FILES" in os.environ:
        # Renamed: a deployment still setting it would otherwise read another file without a word.
        raise SettingsError(
            f"{ENV_PREFIX}_SETTINGS_FILES is no longer read: set ${SETTINGS_VAR} (the settings file) "
            f"and ${SECRETS_FILE_VAR} (the secrets file) instead"
        )
    named = os.environ.get(SETTINGS_VAR)
    if named:
        settings = _named_file("settings", SETTINGS_VAR, named)
    else:
        found = next((place for place in SETTINGS_PLACES if place.is_file()), None)
        if found is None:
            looked = ", ".join(f"./{place}" if not place.is_absolute() else str(place) for place in SETTINGS_PLACES)
            raise SettingsError(f"no settings file: looked for ${SETTINGS_VAR} (unset), {looked}")
        settings = found.resolve()
    named_secrets = os.environ.get(SECRETS_FILE_VAR)
    if named_secrets:
        return [settings, _named_file("secrets", SECRETS_FILE_VAR, named_secrets)]
    beside = settings.parent / SECRETS_BESIDE
    return [settings, beside] if beside.is_file() else [settings]


def _named_file(what: str, variable: str, named: str) -> Path:
    """The file an env var names, absolute (dynaconf looks for a relative name in several places, the
    folder of its caller's module among them); one that dynaconf would skip without a word is refused."""
    path = Path(named)
    if not path.is_file():
        raise SettingsError(f"no {what} file: ${variable} is {named}, which is not a file")
    if path.suffix not in ALL_EXTENSIONS:
        raise SettingsError(f"${variable} is {named}: a {what} file's name ends in one of {', '.join(ALL_EXTENSIONS)}")
    return path.resolve()


def load_dynaconf(env: str | None = None, overrides: Mapping[str, Any] | None = None) -> Dynaconf:
    """Read the settings files, env vars and `_FILE` env vars for one environment, then apply overrides."""
    settings = Dynaconf(
        envvar_prefix=ENV_PREFIX,
        settings_files=[str(path) for path in settings_files()],
        environments=True,
        env_switcher=f"{ENV_PREFIX}_ENV",
        env=env or os.environ.get(f"{ENV_PREFIX}_ENV", "development"),
        load_dotenv=False,
        merge_enabled=False,
    )
    _values_from_files(settings)
    for key, value in (overrides or {}).items():
        settings.set(key, value)
    return settings


def _values_from_files(settings: Dynaconf) -> None:
    """`TOLLGATE_<KEY>_FILE=path` sets <KEY> to the text of that file (less its final newline).

    For the values a process needs before Vault answers, delivered as Docker secrets or mounted
    files: `TOLLGATE_VAULT__ROLE_ID_FILE`, `TOLLGATE_VAULT__SECRET_ID_FILE`,
    `TOLLGATE_DATABASE__PASSWORD_FILE`. Dynaconf has read the variable itself as a key
    (`vault.ROLE_ID_FILE`); that key is replaced by the one it names.
    """
    prefix = f"{ENV_PREFIX}_"
    for name, path in sorted(os.environ.items()):
        if not (name.startswith(prefix) and name.endswith("_FILE")) or name == SECRETS_FILE_VAR:
            continue
        *parents, leaf = name.removeprefix(prefix).removesuffix("_FILE").lower().split("__")
        try:
            value = Path(path).read_text().rstrip("\r\n")
        except OSError as exc:
            raise SettingsError(f"${name}: cannot read {path}: {exc.strerror}") from None
        if not parents:
            settings.set(leaf, value)
            continue
        where = ".".join(parents)
        block = to_plain(settings.get(where))
        block = block if isinstance(block, dict) else {}
        kept = {k: v for k, v in block.items() if k.lower() not in (leaf, f"{leaf}_file")}
        settings.set(where, {**kept, leaf: value})


def database_url(settings: Dynaconf) -> str:
    """`database.url`, holding `database.password` when that is set."""
    block = {str(key).lower(): value for key, value in (to_plain(settings.get("database")) or {}).items()}
    url, password = str(block.get("url")), block.get("password")
    if password is None:
        return url
    return make_url(url).set(password=str(password)).render_as_string(hide_password=False)


_CORE_VALIDATORS = [
    Validator("database.url", must_exist=True, is_type_of=str),
    Validator("jobs.broker", is_in=["memory", "redis"], default="memory"),
    Validator("secrets.backend", is_in=["settings", "vault"], default="settings"),
    Validator("tenants", must_exist=True, is_type_of=dict),
]


def validate(settings: Dynaconf, plugin_validators: Any, known_plugins: Iterable[str]) -> AppConfig:
    """Validate the settings and return the typed config, or raise SettingsError.

    `plugin_validators(tenant, plugin, key)` returns the validators a plugin wants for its
    block of one tenant (the `tollgate_settings_validators` hook).
    """
    known = set(known_plugins)
    problems: list[str] = []
    for validator in _CORE_VALIDATORS:
        try:
            validator.validate(settings)
        except ValidationError as exc:
            problems.append(str(exc.message))
    if problems:
        raise SettingsError("Invalid settings:\n  " + "\n  ".join(problems))

    tenants = to_plain(settings.get("tenants"))
    if not tenants:
        raise SettingsError("Invalid settings: no tenants are declared under [tenants]")
    for slug, raw in tenants.items():
        problems.extend(_tenant_problems(settings, slug, raw, known, plugin_validators))
    if problems:
        raise SettingsError("Invalid tenant settings:\n  " + "\n  ".join(problems))

    def section(name: str) -> Any:
        # An env var adds a key the files do not declare upper-cased (TOLLGATE_VAULT__ROLE_ID → ROLE_ID).
        value = to_plain(settings.get(name)) or {}
        return {str(key).lower(): item for key, item in value.items()} if isinstance(value, dict) else value

    try:
        return msgspec.convert(
            {
                "env": str(settings.current_env).lower(),
                "database": section("database") | {"url": database_url(settings)},
                "jobs": section("jobs"),
                "secrets": section("secrets"),
                "vault": section("vault"),
                "stripe": section("stripe"),
                "server": section("server"),
                "tenants": tenants,
                "tenant_secrets": section("tenant_secrets"),
                "inbox": section("inbox"),
                "outbox": section("outbox"),
                "metrics": section("metrics"),
                "logging": section("logging"),
                "tracing": section("tracing"),
                "rate_limits": section("rate_limits"),
                "stripe_backfill": section("stripe_backfill"),
                "money_audit": section("money_audit"),
                "console": section("console"),
                "retention": section("retention"),
                "analytics": section("analytics"),
            },
            AppConfig,
        )
    except msgspec.ValidationError as exc:
        raise SettingsError(f"Invalid settings: {exc}") from exc


def _tenant_problems(settings: Dynaconf, slug: str, raw: Any, known: set[str], plugin_validators: Any) -> list[str]:
    from tenants.registry import TenantCore, slug_problem

    where = f"tenants.{slug}"
    if (bad_slug := slug_problem(slug)) is not None:
        return [f"{where}: {bad_slug}"]
    if not isinstance(raw, dict):
        return [f"{where}: expected a table of tenant settings"]
    plugins = raw.get("plugins", [])
    if not isinstance(plugins, list) or not all(isinstance(p, str) for p in plugins):
        return [f"{where}.plugins: expected a list of plugin names"]
    problems = [
        f"{where}.plugins: unknown plugin {name!r} (installed: {', '.join(sorted(known)) or 'none'})"
        for name in plugins
        if name not in known
    ]
    core_block = {k: v for k, v in raw.items() if k not in known}
    try:
        msgspec.convert(core_block, TenantCore, strict=True)
    except msgspec.ValidationError as exc:
        problems.append(f"{where}: {exc}")
    for name in plugins:
        if name not in known:
            continue
        for validator in plugin_validators(slug, name, f"{where}.{name}"):
            try:
                validator.validate(settings)
            except ValidationError as exc:
                problems.append(str(exc.message))
    return problems
