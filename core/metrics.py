"""Every Prometheus metric of Tollgate, with bounded labels, and the one-line recorders the code calls.

Label values come from fixed sets: tenants are the configured slugs (anything else is "unknown"),
Stripe event types are the types some handler takes (anything else is "other"); no customer id,
key or free text ever becomes a label. How the figures leave the process: `core/exporter.py`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

from core import clock

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

# What `core.db.after_commit` runs (core.db is not imported: it imports the settings, and they
# import what imports this module).
AfterCommit = Callable[[], Awaitable[None]]

NAMESPACE = "tollgate"
UNKNOWN_TENANT = "unknown"
NO_TENANT = "none"
OTHER_TYPE = "other"

# A `_created` series beside every counter doubles the series for a figure no dashboard reads.
disable_created_metrics()  # type: ignore[no-untyped-call]

_tenants: set[str] = set()
_event_types: set[str] = set()


def know(tenants: Iterable[str], event_types: Iterable[str]) -> None:
    """Allow these tenant slugs and Stripe event types as label values (each runtime built adds its own)."""
    _tenants.update(tenants)
    _event_types.update(event_types)


def tenant_label(slug: str | None) -> str:
    if slug is None:
        return NO_TENANT
    return slug if slug in _tenants else UNKNOWN_TENANT


def event_type_label(event_type: str) -> str:
    return event_type if event_type in _event_types else OTHER_TYPE


# ---- HTTP ---------------------------------------------------------------------------------------

HTTP_PREFIX = f"{NAMESPACE}_http"
# The tenant segment of a path Litestar routes statically (Stripe ingest: one route per tenant).
_STATIC_TENANT_PATH = re.compile(r"^/t/[^/{]+/")
# The path label of a request no route matched (Litestar runs app middleware per route, so none yet).
UNMATCHED_PATH = "unmatched"
# The series and labels Litestar's PrometheusMiddleware made before this module recorded them itself:
# dashboards and alerts read these names.
_HTTP_LABELS = ["method", "path", "status_code", "app_name", "tenant"]
HTTP_REQUESTS = Counter(f"{HTTP_PREFIX}_requests_total", "Total requests", _HTTP_LABELS)
HTTP_ERRORS = Counter(f"{HTTP_PREFIX}_requests_error_total", "Total errors in requests", _HTTP_LABELS)
HTTP_DURATION = Histogram(
    f"{HTTP_PREFIX}_request_duration_seconds",
    "Request duration, in seconds",
    _HTTP_LABELS,
    buckets=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
)
HTTP_IN_PROGRESS = Gauge(
    f"{HTTP_PREFIX}_requests_in_progress",
    "Total requests currently in progress",
    _HTTP_LABELS,
    multiprocess_mode="livesum",
)


class _RouteSeries:
    """The HTTP series of one (method, route template, tenant): in flight, and per status code."""

    __slots__ = ("in_progress", "key", "statuses")

    def __init__(self, method: str, path: str, tenant: str) -> None:
        self.key = (method, path, tenant)
        # In flight before any status is known: counted under 200, as Litestar's middleware did.
        self.in_progress = HTTP_IN_PROGRESS.labels(method, path, 200, NAMESPACE, tenant)
        self.statuses: dict[int, tuple[Any, Any, Any | None]] = {}

    def finished(self, status: int) -> tuple[Any, Any, Any | None]:
        """The request counter, the duration histogram and (for a 5xx) the error counter of `status`."""
        series = self.statuses.get(status)
        if series is None:
            labels = (*self.key[:2], status, NAMESPACE, self.key[2])
            errors = HTTP_ERRORS.labels(*labels) if status >= 500 else None
            series = (HTTP_REQUESTS.labels(*labels), HTTP_DURATION.labels(*labels), errors)
            self.statuses[status] = series
        return series


# Per (method, route template, tenant label): the label sets are bounded (routes, configured tenants),
# and looking the children up once saves prometheus_client's label checks on every request.
_route_series: dict[tuple[str, str, str], _RouteSeries] = {}


def http_metrics(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: requests, 5xx errors, duration and in-flight requests, by route template,
    method, status code and tenant (`tollgate_http_*`). The duration runs until the last body part is
    sent; a request that raised before answering counts as a 500."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        method = scope["method"]
        # The route's template, never the raw path: a path is whatever the caller sent (unbounded labels).
        path = _STATIC_TENANT_PATH.sub("/t/{tenant_slug}/", scope.get("path_template") or UNMATCHED_PATH)
        tenant = _path_tenant(scope["path"])
        series = _route_series.get((method, path, tenant))
        if series is None:
            series = _route_series.setdefault((method, path, tenant), _RouteSeries(method, path, tenant))
        started = time.perf_counter()
        answered = [500, 0.0]

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered[0] = message["status"]
            elif message["type"] == "http.response.body":
                answered[1] = time.perf_counter() - started
            await send(message)

        series.in_progress.inc()
        try:
            await app(scope, receive, timed_send)
        finally:
            series.in_progress.dec()
            requests, duration, errors = series.finished(int(answered[0]))
            requests.inc()
            duration.observe(answered[1])
            if errors is not None:
                errors.inc()

    return middleware


def _path_tenant(path: str) -> str:
    if not path.startswith("/t/"):
        return NO_TENANT
    return tenant_label(path.split("/", 3)[2])


# ---- rate limits (core/rate_limits.py) ----------------------------------------------------------

RATE_LIMITED = Counter(
    f"{NAMESPACE}_rate_limited_total",
    "Requests refused 429 rate_limited, by the window that was full (tenant, key, customer)",
    ["tenant", "per"],
)


def rate_limited(tenant: str, per: str) -> None:
    RATE_LIMITED.labels(tenant_label(tenant), per).inc()


# ---- ledger -------------------------------------------------------------------------------------

SPENDS = Counter(
    f"{NAMESPACE}_spends_total", "Spends answered, by outcome (spent, insufficient: 402)", ["tenant", "outcome"]
)
GRANTS = Counter(
    f"{NAMESPACE}_grants_total", "Grants committed, by source (admin, a plugin's source)", ["tenant", "source"]
)
HOLDS = Counter(
    f"{NAMESPACE}_holds_total",
    "Holds committed, by what happened (placed, captured, released, expired)",
    ["tenant", "outcome"],
)


@contextlib.contextmanager
def spend_counted(tenant: str) -> Iterator[None]:
    """Count the spend run inside: `spent` when it returns, `insufficient` when it is refused 402
    `insufficient_credits` (by its code: the status is the error-code registry's, not the exception's)."""
    try:
        yield
    except Exception as exc:
        if getattr(exc, "code", None) == "insufficient_credits":
            SPENDS.labels(tenant_label(tenant), "insufficient").inc()
        raise
    SPENDS.labels(tenant_label(tenant), "spent").inc()


def grant_committed(tenant: str, source: str) -> AfterCommit:
    """The count of one grant, for `core.db.after_commit` (never counted when rolled back)."""
    return _counting(GRANTS.labels(tenant_label(tenant), source.split(":", 1)[0]))


def hold_committed(tenant: str, outcome: str) -> AfterCommit:
    return _counting(HOLDS.labels(tenant_label(tenant), outcome))


def _counting(counter: Any) -> AfterCommit:
    async def count() -> None:
        counter.inc()

    return count


# ---- Stripe events (the inbox) ------------------------------------------------------------------

STRIPE_EVENTS = Counter(
    f"{NAMESPACE}_stripe_events_total",
    "Stripe events: received (new), duplicate, ignored, processed, failed (to retry), dead",
    ["tenant", "type", "outcome"],
)
STRIPE_EVENT_LAG = Histogram(
    f"{NAMESPACE}_stripe_event_lag_seconds",
    "From an event's receipt to its processing (or ignoring) being committed",
    ["tenant"],
    buckets=[0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600],
)
INBOX_BACKLOG = Gauge(
    f"{NAMESPACE}_inbox_backlog",
    "Stripe events waiting to be processed (pending, failed, processing), as of the sweeper's last run",
    ["tenant"],
    multiprocess_mode="livemostrecent",
)


def event_received(tenant: str, event_type: str, *, duplicate: bool, ignored: bool) -> None:
    labels = tenant_label(tenant), event_type_label(event_type)
    STRIPE_EVENTS.labels(*labels, "duplicate" if duplicate else "received").inc()
    if ignored and not duplicate:
        STRIPE_EVENTS.labels(*labels, "ignored").inc()


def event_settled(tenant: str, event_type: str, status: str, received_at: dt.datetime) -> AfterCommit:
    """The count of a processed or ignored event and its lag, for `core.db.after_commit`."""
    slug = tenant_label(tenant)
    settled = STRIPE_EVENTS.labels(slug, event_type_label(event_type), status)

    async def count() -> None:
        settled.inc()
        STRIPE_EVENT_LAG.labels(slug).observe(max(0.0, (clock.now() - received_at).total_seconds()))

    return count


def event_failed(tenant: str, event_type: str, status: str | None) -> None:
    """A failed attempt, committed: `failed` (to retry) or `dead` (None: another worker took the event)."""
    if status is not None:
        STRIPE_EVENTS.labels(tenant_label(tenant), event_type_label(event_type), status).inc()


def inbox_backlog(waiting: Mapping[str, int]) -> None:
    """The sweeper's count of waiting events per tenant (a tenant missing from `waiting` has none)."""
    for slug in _tenants:
        INBOX_BACKLOG.labels(slug).set(waiting.get(slug, 0))


# ---- Stripe event backfill (core/inbox/backfill.py) ----------------------------------------------

STRIPE_EVENTS_BACKFILLED = Counter(
    f"{NAMESPACE}_stripe_events_backfilled_total",
    "Stripe events the inbox lacked, read back from Stripe's events API and stored (each one a lost delivery)",
    ["tenant", "type"],
)
STRIPE_BACKFILL_RUNS = Counter(
    f"{NAMESPACE}_stripe_backfill_runs_total",
    "Runs of the Stripe event backfill, by outcome: ok, partial (stopped at its page limit), failed",
    ["tenant", "outcome"],
)
STRIPE_BACKFILL_LAG = Gauge(
    f"{NAMESPACE}_stripe_backfill_lag_seconds",
    "Seconds since the start of the last complete listing of the tenant's Stripe events (its watermark's lag)",
    ["tenant"],
    multiprocess_mode="livemostrecent",
)
STRIPE_BACKFILL_WARNINGS = Gauge(
    f"{NAMESPACE}_stripe_backfill_warnings",
    "1 while a warning of the backfill holds (events_behind, endpoint_disabled, signature_failures), else 0",
    ["tenant", "kind"],
    multiprocess_mode="livemostrecent",
)
STRIPE_SIGNATURE_FAILURES = Counter(
    f"{NAMESPACE}_stripe_signature_failures_total",
    "Deliveries to a tenant's webhook route refused 400 invalid_signature",
    ["tenant"],
)


def event_backfilled(tenant: str, event_type: str) -> AfterCommit:
    """The count of one event stored by the backfill, for `core.db.after_commit`."""
    return _counting(STRIPE_EVENTS_BACKFILLED.labels(tenant_label(tenant), event_type_label(event_type)))


def backfill_ran(tenant: str, outcome: str, lag_seconds: float | None, warnings: Mapping[str, bool]) -> None:
    """A finished run: its outcome, the watermark's lag (None: never listed) and each warning kind's state."""
    slug = tenant_label(tenant)
    STRIPE_BACKFILL_RUNS.labels(slug, outcome).inc()
    if lag_seconds is not None:
        STRIPE_BACKFILL_LAG.labels(slug).set(max(0.0, lag_seconds))
    for kind, active in warnings.items():
        STRIPE_BACKFILL_WARNINGS.labels(slug, kind).set(1 if active else 0)


def signature_failed(tenant: str) -> None:
    STRIPE_SIGNATURE_FAILURES.labels(tenant_label(tenant)).inc()


# ---- notifications to tenant apps ----------------------------------------------------------------

NOTIFICATIONS = Counter(
    f"{NAMESPACE}_notifications_total", "Notice deliveries: delivered, failed (to retry), dead", ["tenant", "outcome"]
)


def notification_attempted(tenant: str, status: str | None) -> None:
    if status is not None:
        NOTIFICATIONS.labels(tenant_label(tenant), status).inc()


# ---- Stripe API ----------------------------------------------------------------------------------

STRIPE_API_REQUESTS = Counter(
    f"{NAMESPACE}_stripe_api_requests_total",
    "HTTP requests to Stripe's API (each retry counts), by outcome: ok, client_error (4xx), "
    "rate_limited (429), server_error (5xx), network_error",
    ["tenant", "method", "outcome"],
)
STRIPE_API_DURATION = Histogram(
    f"{NAMESPACE}_stripe_api_request_duration_seconds",
    "Duration of one HTTP request to Stripe's API",
    ["tenant"],
    buckets=[0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 40],
)


def stripe_api_request(tenant: str | None, method: str, status: int | None, seconds: float) -> None:
    """One request to Stripe for a tenant (None: a client built for no tenant): its HTTP status, or None
    when it got no answer."""
    if status is None:
        outcome = "network_error"
    elif status == 429:
        outcome = "rate_limited"
    else:
        outcome = {2: "ok", 4: "client_error", 5: "server_error"}.get(status // 100, "other")
    slug = tenant_label(tenant)
    method = method.upper() if method.upper() in {"GET", "POST", "DELETE"} else "OTHER"
    STRIPE_API_REQUESTS.labels(slug, method, outcome).inc()
    STRIPE_API_DURATION.labels(slug).observe(seconds)


# ---- tenant secrets cache ------------------------------------------------------------------------

SECRETS_CACHE_HITS = Counter(f"{NAMESPACE}_secrets_cache_hits_total", "Secrets served from the cache", ["tenant"])
SECRETS_READS = Counter(
    f"{NAMESPACE}_secrets_reads_total",
    "Reads of the secrets backend (first reads and refreshes): ok, stale (failed, the cache served), "
    "failed (503 secrets_unavailable)",
    ["tenant", "outcome"],
)


def secrets_cache_hit(tenant: str) -> None:
    SECRETS_CACHE_HITS.labels(tenant_label(tenant)).inc()


def secrets_read(tenant: str, outcome: str) -> None:
    SECRETS_READS.labels(tenant_label(tenant), outcome).inc()


# ---- group commits -------------------------------------------------------------------------------

BATCH_SIZE = Histogram(
    f"{NAMESPACE}_batch_size",
    "Items per flush of a group commit (core.batching), by batch function",
    ["batcher"],
    buckets=[1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
)


def batch_flushed(batcher: str, size: int) -> None:
    BATCH_SIZE.labels(batcher).observe(size)


# ---- money audit ---------------------------------------------------------------------------------

MONEY_AUDIT_RUNS = Counter(
    f"{NAMESPACE}_money_audit_runs_total",
    "Money audits against Stripe: clean, differences, failed",
    ["tenant", "status"],
)
MONEY_AUDIT_DIFFERENCES = Gauge(
    f"{NAMESPACE}_money_audit_differences",
    "Differences with Stripe left open by the tenant's last money audit, by kind",
    ["tenant", "kind"],
    multiprocess_mode="livemostrecent",
)


def money_audit_finished(tenant: str, status: str, open_by_kind: Mapping[str, int] | None) -> AfterCommit:
    """A run's count and (unless it failed) its open differences by kind (every kind, zeros too), for
    `core.db.after_commit`."""
    slug = tenant_label(tenant)

    async def record() -> None:
        MONEY_AUDIT_RUNS.labels(slug, status).inc()
        if open_by_kind is not None:
            for kind, count in open_by_kind.items():
                MONEY_AUDIT_DIFFERENCES.labels(slug, kind).set(count)

    return record


# ---- retention (core/retention/) -----------------------------------------------------------------

RETENTION_PRUNED = Counter(
    f"{NAMESPACE}_retention_pruned_total",
    "Rows the retention policy pruned, by kind: webhook_payloads (bodies dropped), notifications, audit_records, "
    "closed_holds (deleted)",
    ["tenant", "kind"],
)


def retention_pruned(tenant: str, kind: str, rows: int) -> AfterCommit:
    """One batch's pruned rows, for `core.db.after_commit`."""
    counter = RETENTION_PRUNED.labels(tenant_label(tenant), kind)

    async def count() -> None:
        counter.inc(rows)

    return count
