"""One `stripe.StripeClient` per tenant, built from that tenant's own secret key.

Never the global `stripe.api_key`: tenants have separate Stripe accounts. Clients retry with
backoff on network errors, 409, 429 and 5xx; every POST we make passes an idempotency key derived
from our own row id (see `idempotency_key`), so a retry can never charge twice.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

import stripe

from core import metrics
from core.errors import BadRequest, UpstreamError
from core.settings import StripeConfig
from tenants.registry import Tenant
from tenants.secrets import SecretsStore

logger = logging.getLogger("tollgate.stripe")

# The SDK logs every request and response at INFO; the services log what a request meant instead.
logging.getLogger("stripe").setLevel(logging.WARNING)


class RetryingHTTPXClient(stripe.HTTPXClient):  # type: ignore[misc]
    """The SDK's async httpx client, also retrying 429 (the SDK retries it only when Stripe says so),
    counting and timing each request for its tenant (`core.metrics`)."""

    def __init__(self, *args: Any, tenant: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenant = tenant

    async def request_async(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any = None
    ) -> tuple[bytes, int, Mapping[str, str]]:
        started = time.perf_counter()
        status: int | None = None
        try:
            answer: tuple[bytes, int, Mapping[str, str]] = await super().request_async(method, url, headers, post_data)
            status = answer[1]
            return answer
        finally:
            metrics.stripe_api_request(self.tenant, method, status, time.perf_counter() - started)

    def _should_retry(
        self,
        response: tuple[Any, int, Any] | None,
        api_connection_error: stripe.APIConnectionError | None,
        num_retries: int,
        max_network_retries: int | None,
    ) -> bool:
        if response is not None and response[1] == 429 and num_retries < (max_network_retries or 0):
            return True
        return bool(super()._should_retry(response, api_connection_error, num_retries, max_network_retries))


def idempotency_key(kind: str, row_id: object, step: str = "") -> str:
    """The key for a Stripe POST made on behalf of one of our rows: stable across retries and replays."""
    return f"tollgate:{kind}:{row_id}" + (f":{step}" if step else "")


class StripeClients:
    """Builds and caches each tenant's client; a rotated key yields a new client."""

    def __init__(self, config: StripeConfig, secrets: SecretsStore) -> None:
        self._config = config
        self._secrets = secrets
        self._clients: dict[tuple[str, str], stripe.StripeClient] = {}

    async def for_tenant(self, tenant: Tenant) -> stripe.StripeClient:
        key = (await self._secrets.get(tenant)).stripe_secret_key
        cached = self._clients.get((tenant.slug, key))
        if cached is not None:
            return cached
        client = self.build(key, tenant)
        self._clients = {k: v for k, v in self._clients.items() if k[0] != tenant.slug}
        self._clients[(tenant.slug, key)] = client
        return client

    def build(self, api_key: str, tenant: Tenant | None = None) -> stripe.StripeClient:
        """A client for `api_key`, at `tenant`'s own Stripe API base when it sets one (else the deployment's)."""
        base = (tenant.core.stripe.api_base if tenant is not None else None) or self._config.api_base
        addresses: Any = {"api": base, "files": base, "connect": base} if base else None
        return stripe.StripeClient(
            api_key,
            base_addresses=addresses,
            max_network_retries=self._config.max_network_retries,
            http_client=RetryingHTTPXClient(
                timeout=self._config.timeout_seconds, tenant=tenant.slug if tenant is not None else None
            ),
        )


async def promotion_code_id(client: stripe.StripeClient, code: str) -> str:
    """The id of the active promotion code a customer typed (`LAUNCH20`) or gave by id (`promo_...`).

    Checkout Sessions take promotion codes by id only. An unknown or inactive code is a 400
    `invalid_promotion_code`; Stripe failing to answer is a 502.
    """
    try:
        if code.startswith("promo_"):
            found = await client.v1.promotion_codes.retrieve_async(code)
            if found.active:
                return str(found.id)
        else:
            page = await client.v1.promotion_codes.list_async({"code": code, "active": True, "limit": 1})
            if page.data:
                return str(page.data[0].id)
    except stripe.InvalidRequestError:
        pass
    except stripe.StripeError as exc:
        raise UpstreamError("Stripe did not answer the promotion code lookup; try again.", code="stripe_error") from exc
    raise BadRequest(f"No active promotion code {code!r}.", code="invalid_promotion_code")


async def create_checkout_session(client: stripe.StripeClient, params: Mapping[str, Any], key: str) -> Any:
    """A Checkout Session for one of our rows (`key` from `idempotency_key`), Stripe's refusals as API errors
    (`created_or_refused`)."""
    return await created_or_refused(client.v1.checkout.sessions.create_async, params, key, "checkout")


async def create_subscription(client: stripe.StripeClient, params: Mapping[str, Any], key: str) -> Any:
    """A subscription for one of our rows (`key` from `idempotency_key`), Stripe's refusals as API errors
    (`created_or_refused`)."""
    return await created_or_refused(client.v1.subscriptions.create_async, params, key, "subscription")


async def created_or_refused(create: Any, params: Mapping[str, Any], key: str, what: str) -> Any:
    """`create(params=..., options={"idempotency_key": key})`, Stripe's refusals as API errors.

    A promotion code Stripe will not apply to this purchase is a 400 `promotion_code_not_applicable`;
    any other refusal or failure is a 502 `stripe_error` (logged with Stripe's own message).
    """
    try:
        return await create(params=params, options={"idempotency_key": key})
    except stripe.InvalidRequestError as exc:
        if params.get("discounts") and str(exc.param or "").startswith("discounts"):
            raise BadRequest(
                f"The promotion code cannot be used for this purchase: {exc.user_message or exc}",
                code="promotion_code_not_applicable",
            ) from None
        logger.warning("%s %s refused: %s", what, key, exc)
        raise UpstreamError(f"Stripe refused the {what}; check the price.", code="stripe_error") from exc
    except stripe.StripeError as exc:
        logger.warning("%s %s failed: %s", what, key, exc)
        raise UpstreamError(f"Stripe did not accept the {what}; try again.", code="stripe_error") from exc
