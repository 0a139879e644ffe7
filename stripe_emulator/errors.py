"""Stripe's error model: the exception the resource modules raise and its JSON rendering.

The JSON shape, status codes and messages follow what api.stripe.com answers, because
the SDK maps them onto its exception classes (InvalidRequestError, CardError, ...).
"""

from __future__ import annotations

from typing import Any

DOC_BASE = "https://stripe.com/docs/error-codes/"


class StripeError(Exception):
    """An API error: raised anywhere while handling a request, rendered by the app."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        replayable: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param
        self.extra = extra or {}
        self.headers = headers or {}
        # Stripe saves an idempotent result only once the endpoint started executing;
        # parameter validation failures are not saved, card declines are.
        self.replayable = replayable

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        err: dict[str, Any] = {"message": self.message, "type": self.type}
        if self.code:
            err["code"] = self.code
            err["doc_url"] = DOC_BASE + self.code.replace("_", "-")
        if self.param:
            err["param"] = self.param
        if request_id:
            err["request_log_url"] = (
                f"https://dashboard.stripe.com/test/logs/{request_id}?t=0"
            )
        err.update(self.extra)
        return {"error": err}


def invalid_request(
    message: str, *, param: str | None = None, code: str | None = None, status: int = 400
) -> StripeError:
    return StripeError(status, "invalid_request_error", message, code=code, param=param)


def resource_missing(noun: str, id_: str, *, param: str | None = "id") -> StripeError:
    status = 404 if param == "id" else 400
    return StripeError(
        status,
        "invalid_request_error",
        f"No such {noun}: '{id_}'",
        code="resource_missing",
        param=param,
    )


def missing_param(param: str) -> StripeError:
    return invalid_request(
        f"Missing required param: {param}.", param=param, code="parameter_missing"
    )


def unknown_param(param: str) -> StripeError:
    return invalid_request(
        f"Received unknown parameter: {param}", param=param, code="parameter_unknown"
    )


def state_error(message: str, *, param: str | None = None) -> StripeError:
    """An action the object's current state forbids (expiring a completed session...)."""
    return invalid_request(message, param=param)


def idempotency_mismatch(key: str) -> StripeError:
    return StripeError(
        400,
        "idempotency_error",
        "Keys for idempotent requests can only be used with the same parameters they "
        f"were first used with. Try using a key other than '{key}' if you meant to "
        "execute a different request.",
    )


def authentication(api_key: str | None) -> StripeError:
    if not api_key:
        message = (
            "You did not provide an API key. You need to provide your API key in the "
            "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
            "YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
            "details, or we can help at https://support.stripe.com/."
        )
    else:
        message = f"Invalid API Key provided: {mask_key(api_key)}"
    return StripeError(401, "invalid_request_error", message)


def mask_key(api_key: str) -> str:
    """`sk_test_****...1234`, the way Stripe echoes a key it does not know."""
    parts = api_key.split("_")
    prefix = "_".join(parts[:2]) + "_" if len(parts) > 2 else ""
    return f"{prefix}{'*' * 12}{api_key[-4:]}"


def card_error(
    message: str,
    *,
    code: str,
    decline_code: str | None,
    extra: dict[str, Any],
) -> StripeError:
    body_extra = dict(extra)
    if decline_code:
        body_extra["decline_code"] = decline_code
    return StripeError(
        402, "card_error", message, code=code, extra=body_extra, replayable=True
    )


def rate_limited(code: str = "rate_limit") -> StripeError:
    if code == "lock_timeout":
        message = (
            "This object cannot be accessed right now because another API request or "
            "Stripe process is currently accessing it. If you see this error "
            "intermittently, retry the request."
        )
    else:
        message = (
            "Request rate limit exceeded. Learn more about rate limits here "
            "https://stripe.com/docs/rate-limits."
        )
    return StripeError(429, "invalid_request_error", message, code=code)


def api_error(status: int = 500) -> StripeError:
    return StripeError(
        status,
        "api_error",
        "An unknown error occurred. Please try again later.",
    )
