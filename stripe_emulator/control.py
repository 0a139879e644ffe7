"""A typed client for the emulator's `/_emulator` helpers, sync (`EmulatorControl`) and
async (`EmulatorControl.aio`, an `AsyncEmulatorControl`), with the same methods.

Every method takes the account's API key first and returns the helper's JSON (a dict);
a non-2xx answer raises `EmulatorError` carrying Stripe's error JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Sequence
from typing import Any, Generic, TypeVar

import httpx

Json = dict[str, Any]
_R = TypeVar("_R")


class EmulatorError(Exception):
    """A helper answered an error (e.g. 402 when the test card declined)."""

    def __init__(self, status: int, body: Json) -> None:
        self.status = status
        self.body = body
        self.error: Json = body.get("error", {}) if isinstance(body, dict) else {}
        super().__init__(f"{status}: {self.error.get('message', body)}")


def _drop_none(body: Json) -> Json:
    return {k: v for k, v in body.items() if v is not None}


class _Helpers(Generic[_R]):
    """The helper calls; subclasses decide whether `_call` blocks or returns a coroutine."""

    def _call(self, method: str, path: str, api_key: str | None = None,
              body: Json | None = None) -> _R:
        raise NotImplementedError

    # ------------------------------------------------------------ accounts and time

    def health(self) -> _R:
        return self._call("GET", "/_emulator/health")

    def create_account(
        self, api_key: str | None = None, *, name: str | None = None,
        dunning: Json | None = None,
    ) -> _R:
        """Create (or get) the account for `api_key`; a key is generated when omitted.

        `dunning`: {"max_attempts": 4, "retry_days": 3, "final_action": "unpaid" |
        "canceled" | "past_due"}.
        """
        return self._call("POST", "/_emulator/accounts", None,
                          _drop_none({"api_key": api_key, "name": name, "dunning": dunning}))

    def account(self, api_key: str) -> _R:
        return self._call("GET", "/_emulator/account", api_key)

    def reset(self, api_key: str) -> _R:
        """Forget every object, event, idempotency key, fault and delivery of the account."""
        return self._call("POST", "/_emulator/account/reset", api_key)

    def advance_clock(self, api_key: str, *, seconds: int | None = None,
                      to: int | None = None) -> _R:
        return self._call("POST", "/_emulator/clock/advance", api_key,
                          _drop_none({"seconds": seconds, "to": to}))

    # ------------------------------------------------------------ customers' actions

    def complete_checkout(
        self,
        api_key: str,
        session_id: str,
        payment_method: str = "pm_card_visa",
        async_payment: str | None = None,
        *,
        promotion_code: str | None = None,
        email: str | None = None,
        name: str | None = None,
    ) -> _R:
        """Pay a Checkout Session as the customer would; `{"checkout_session", "redirect_url"}`.

        `async_payment` (payment mode): "pending" (completes unpaid; finish later with
        `finish_async_payment`), "succeeded" or "failed" (both phases at once).
        """
        return self._call(
            "POST", f"/_emulator/checkout/sessions/{session_id}/complete", api_key,
            _drop_none({"payment_method": payment_method, "async_payment": async_payment,
                        "promotion_code": promotion_code, "email": email, "name": name}),
        )

    def finish_async_payment(self, api_key: str, session_id: str, outcome: str) -> _R:
        """outcome: "succeeded" or "failed"."""
        return self._call("POST", f"/_emulator/checkout/sessions/{session_id}/async_payment",
                          api_key, {"outcome": outcome})

    def expire_checkout(self, api_key: str, session_id: str) -> _R:
        return self._call("POST", f"/_emulator/checkout/sessions/{session_id}/expire",
                          api_key)

    def authenticate_payment(self, api_key: str, payment_intent_id: str,
                             outcome: str = "succeeded") -> _R:
        """Answer a 3-D Secure challenge: outcome "succeeded" or "failed"."""
        return self._call("POST", f"/_emulator/payment_intents/{payment_intent_id}/authenticate",
                          api_key, {"outcome": outcome})

    def authenticate_setup(self, api_key: str, setup_intent_id: str,
                           outcome: str = "succeeded") -> _R:
        """Answer a SetupIntent's 3-D Secure challenge: outcome "succeeded" or "failed"."""
        return self._call("POST", f"/_emulator/setup_intents/{setup_intent_id}/authenticate",
                          api_key, {"outcome": outcome})

    def confirm(self, api_key: str | None, client_secret: str,
                payment_method: str = "pm_card_visa", *,
                three_d_secure: str = "complete") -> _R:
        """Stripe.js in the browser: confirm a PaymentIntent or SetupIntent by its client secret.

        `payment_method`: a test token, test card number or `pm_` id. A 3-D Secure challenge is
        answered as `three_d_secure` says ("complete", "fail" or "leave" it requires_action).
        → {"object", "payment_intent" | "setup_intent", "status"}; a refused card raises (402).
        """
        return self._call("POST", "/_emulator/confirm", api_key,
                          {"client_secret": client_secret, "payment_method": payment_method,
                           "three_d_secure": three_d_secure})

    def pay_invoice(self, api_key: str, invoice_id: str,
                    payment_method: str | None = None) -> _R:
        """Another payment attempt on an open invoice (a retry, or the customer's fix)."""
        return self._call("POST", f"/_emulator/invoices/{invoice_id}/pay", api_key,
                          _drop_none({"payment_method": payment_method}))

    # ------------------------------------------------------------ time passing

    def advance_subscription(self, api_key: str, subscription_id: str,
                             payment_method: str | None = None) -> _R:
        """Jump to the end of the current period: renew (paid or failed), end a trial, end a
        cancel_at_period_end subscription, or expire an incomplete one.
        `{"subscription", "invoice"}`; `payment_method` overrides the card for this renewal.
        """
        return self._call("POST", f"/_emulator/subscriptions/{subscription_id}/advance",
                          api_key, _drop_none({"payment_method": payment_method}))

    def trial_will_end(self, api_key: str, subscription_id: str) -> _R:
        return self._call("POST", f"/_emulator/subscriptions/{subscription_id}/trial_will_end",
                          api_key)

    # ------------------------------------------------------------ card networks

    def dispute(
        self, api_key: str, charge: str | None = None, *, payment_intent: str | None = None,
        reason: str = "fraudulent", amount: int | None = None,
    ) -> _R:
        """Open a dispute on a charge (or a payment intent's charge); `{"dispute"}`."""
        return self._call("POST", "/_emulator/disputes", api_key,
                          _drop_none({"charge": charge, "payment_intent": payment_intent,
                                      "reason": reason, "amount": amount}))

    def close_dispute(self, api_key: str, dispute_id: str, outcome: str) -> _R:
        """outcome: "won" or "lost"."""
        return self._call("POST", f"/_emulator/disputes/{dispute_id}/close", api_key,
                          {"outcome": outcome})

    # ------------------------------------------------------------ the dashboard

    def dashboard_product(self, api_key: str, action: str, object_id: str | None = None,
                          **params: Any) -> _R:
        """action: create | update | archive | unarchive | delete; params as the API's."""
        return self._call("POST", "/_emulator/dashboard/products", api_key,
                          _drop_none({"action": action, "id": object_id, "params": params}))

    def dashboard_price(self, api_key: str, action: str, object_id: str | None = None,
                        **params: Any) -> _R:
        """action: create | update | archive | unarchive | delete; params as the API's."""
        return self._call("POST", "/_emulator/dashboard/prices", api_key,
                          _drop_none({"action": action, "id": object_id, "params": params}))

    # ------------------------------------------------------------ API faults

    def fail_next(
        self,
        api_key: str,
        count: int = 1,
        *,
        status: int = 500,
        when: str = "before",
        method: str | None = None,
        path_prefix: str | None = None,
        code: str | None = None,
        should_retry: bool | None = None,
    ) -> _R:
        """The next `count` matching /v1 calls answer `status` (429 or 5xx).

        when="before": nothing happens; "after": the call is processed (and its
        idempotent result stored) and then the error is answered. 429 uses code
        "rate_limit" (the SDK does not retry) or "lock_timeout" (Stripe-Should-Retry: true).
        """
        return self._call("POST", "/_emulator/faults", api_key, _drop_none({
            "kind": "error", "count": count, "status": status, "when": when,
            "method": method, "path_prefix": path_prefix, "code": code,
            "should_retry": should_retry,
        }))

    def fail_rate(
        self,
        api_key: str,
        probability: float,
        *,
        seed: int | None = None,
        status: int = 500,
        when: str = "before",
        method: str | None = None,
        path_prefix: str | None = None,
        count: int | None = None,
    ) -> _R:
        """A share of matching calls fail (seeded RNG), until cleared or `count` hits."""
        return self._call("POST", "/_emulator/faults", api_key, _drop_none({
            "kind": "error", "probability": probability, "seed": seed, "status": status,
            "when": when, "method": method, "path_prefix": path_prefix, "count": count,
        }))

    def hang_next(
        self,
        api_key: str,
        seconds: float,
        count: int = 1,
        *,
        when: str = "before",
        method: str | None = None,
        path_prefix: str | None = None,
    ) -> _R:
        """The next matching calls wait `seconds` (before or after processing) to outlast
        the client's timeout."""
        return self._call("POST", "/_emulator/faults", api_key, _drop_none({
            "kind": "hang", "seconds": seconds, "count": count, "when": when,
            "method": method, "path_prefix": path_prefix,
        }))

    def faults(self, api_key: str) -> _R:
        return self._call("GET", "/_emulator/faults", api_key)

    def clear_faults(self, api_key: str) -> _R:
        return self._call("DELETE", "/_emulator/faults", api_key)

    # ------------------------------------------------------------ webhooks

    def set_webhook_faults(
        self,
        api_key: str,
        *,
        duplicates: int = 1,
        shuffle_window: int = 1,
        delay: float = 0.0,
        jitter: float = 0.0,
        max_attempts: int = 3,
        backoff_base: float = 0.05,
        backoff_max: float = 2.0,
        timeout: float = 5.0,
        seed: int | None = None,
        disable_after_failures: int | None = None,
        drop: bool = False,
        drop_until: int | None = None,
        stale_secret: str | None = None,
    ) -> _R:
        """How deliveries misbehave: each event sent `duplicates` times, shuffled within
        windows of `shuffle_window`, delayed by `delay` (+ up to `jitter`) seconds, retried
        after a failure with backoff `backoff_base * 2**(n-1)` up to `max_attempts`.

        Every call replaces all settings (omitted ones go back to their defaults).
        `disable_after_failures`: after that many deliveries in a row to an endpoint were
        given up on (or dropped), its `status` becomes "disabled" and it gets nothing more
        until updated with `disabled=False`; a delivered one resets the count.
        `drop` (or the account clock before `drop_until`, unix time): attempts are not sent
        and not retried (logged with `dropped`); turning it off resends nothing
        (`resend_event` does). `stale_secret`: sign with this instead of the endpoint's
        secret, so the receiver rejects every delivery.
        """
        return self._call("PUT", "/_emulator/webhooks/faults", api_key, _drop_none({
            "duplicates": duplicates, "shuffle_window": shuffle_window, "delay": delay,
            "jitter": jitter, "max_attempts": max_attempts, "backoff_base": backoff_base,
            "backoff_max": backoff_max, "timeout": timeout, "seed": seed,
            "disable_after_failures": disable_after_failures, "drop": drop,
            "drop_until": drop_until, "stale_secret": stale_secret,
        }))

    def webhook_faults(self, api_key: str) -> _R:
        """The delivery fault settings in force."""
        return self._call("GET", "/_emulator/webhooks/faults", api_key)

    def settle(self, api_key: str, timeout: float = 5.0) -> _R:
        """Wait until no delivery is queued or in flight; `{"settled", "attempts",
        "delivered", "failed", "dropped", "gave_up", "pending", "in_flight"}`."""
        return self._call("POST", "/_emulator/webhooks/settle", api_key, {"timeout": timeout})

    def deliveries(self, api_key: str) -> _R:
        """The delivery log: `{"data": [{"event_id", "event_type", "endpoint_id", "url",
        "attempt", "copy", "status_code", "error", "ok", "final", "dropped", "at",
        "duration_ms"}], ...}`."""
        return self._call("GET", "/_emulator/webhooks/deliveries", api_key)

    def clear_deliveries(self, api_key: str) -> _R:
        return self._call("DELETE", "/_emulator/webhooks/deliveries", api_key)

    def register_webhook(
        self,
        api_key: str,
        url: str,
        *,
        enabled_events: Sequence[str] = ("*",),
        secret: str | None = None,
        description: str | None = None,
    ) -> _R:
        """A webhook endpoint with a chosen (or generated) `whsec_` secret; the answer is the
        endpoint plus its `secret`."""
        return self._call("POST", "/_emulator/webhook_endpoints", api_key, _drop_none({
            "url": url, "enabled_events": list(enabled_events), "secret": secret,
            "description": description,
        }))

    def roll_webhook_secret(self, api_key: str, endpoint_id: str, *,
                            secret: str | None = None, keep_old: bool = True) -> _R:
        """Give the endpoint a new secret. With `keep_old`, deliveries are signed with the
        new and the old secrets (one `v1=` each) until rolled again with keep_old=False."""
        return self._call("POST", f"/_emulator/webhook_endpoints/{endpoint_id}/roll_secret",
                          api_key, _drop_none({"secret": secret, "keep_old": keep_old}))

    def webhook_endpoints(self, api_key: str) -> _R:
        """Every endpoint of the account with its `secret`."""
        return self._call("GET", "/_emulator/webhook_endpoints", api_key)

    def resend_event(self, api_key: str, event_id: str, endpoint: str | None = None) -> _R:
        """Deliver the event again to `endpoint` (or every enabled one listening);
        `{"queued"}`. 404 for an event older than 30 days, as the API."""
        return self._call("POST", f"/_emulator/events/{event_id}/resend", api_key,
                          _drop_none({"endpoint": endpoint}))


def _headers(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}


def _result(response: httpx.Response) -> Json:
    try:
        body = response.json()
    except ValueError:
        body = {"error": {"message": response.text}}
    if response.status_code >= 400:
        raise EmulatorError(response.status_code, body)
    return body  # type: ignore[no-any-return]


class AsyncEmulatorControl(_Helpers[Awaitable[Json]]):
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._timeout = timeout

    async def _call(self, method: str, path: str, api_key: str | None = None,
                    body: Json | None = None) -> Json:
        # A client per call: tests run on several event loops, and a pooled client is
        # bound to the loop it was first used on.
        async with httpx.AsyncClient(
            base_url=self.base_url, timeout=self._timeout, trust_env=False
        ) as http:
            response = await http.request(method, path, json=body, headers=_headers(api_key))
        return _result(response)


class EmulatorControl(_Helpers[Json]):
    def __init__(self, base_url: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, trust_env=False)
        self.aio = AsyncEmulatorControl(self.base_url, timeout)

    def _call(self, method: str, path: str, api_key: str | None = None,
              body: Json | None = None) -> Json:
        response = self._http.request(method, path, json=body, headers=_headers(api_key))
        return _result(response)

    def close(self) -> None:
        self._http.close()
