"""Notification types as plugins declare them: what each notice means and the Struct its `data` matches."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar

import msgspec

from core.fields import Examples


@dataclasses.dataclass(frozen=True)
class NotificationType:
    """One notification type: what it means and, when declared, the Struct its `data` matches.

    `notify` checks the data against `data` and the OpenAPI document shows it under the type's webhook;
    a type declared with a plain meaning (`data=None`) has its data undescribed.
    """

    meaning: str
    data: type[msgspec.Struct] | None = None


def register_types(
    registry: dict[str, NotificationType], plugin: str, declared: Mapping[str, str | NotificationType]
) -> None:
    """Add one plugin's types to `registry`; a type two plugins declare with different Structs stops start-up."""
    for name, value in declared.items():
        given = value if isinstance(value, NotificationType) else NotificationType(value or f"sent by {plugin}")
        known = registry.get(name)
        if known is None:
            registry[name] = given
        elif known.data is None:
            registry[name] = NotificationType(known.meaning, given.data)
        elif given.data is not None and given.data is not known.data:
            raise ValueError(
                f"notification type {name!r}: plugin {plugin!r} declares its data as {_name(given.data)}, "
                f"another plugin as {_name(known.data)}; a type's data has one Struct (share it)"
            )


def checked_data(name: str, declared: NotificationType, data: Mapping[str, Any]) -> Any:
    """`data` as it is stored and sent (builtins), refused with a `ValueError` when it does not match its Struct."""
    built = msgspec.to_builtins(data)
    if declared.data is not None:
        try:
            msgspec.convert(built, declared.data)
        except msgspec.ValidationError as exc:
            raise ValueError(f"the data of notification {name!r} does not match {_name(declared.data)}: {exc}") from exc
    return built


def _name(struct: type) -> str:
    return f"{struct.__module__}.{struct.__qualname__}"


class PaymentFailed(msgspec.Struct, forbid_unknown_fields=True):
    """`payment.failed`: a payment failed. Subscriptions send the plan's state and the invoice's; token
    packages the order's (and the invoice's for a recurring pack). Fields one of them does not send are absent."""

    customer: Annotated[str, msgspec.Meta(description="The tenant app's customer.")]
    currency: Annotated[str | None, msgspec.Meta(description="ISO currency code, lower case.")] = None
    invoice: Annotated[str | None, msgspec.Meta(description="The Stripe invoice that failed; null: none.")] = None
    subscription: Annotated[str | None, msgspec.Meta(description="The Stripe subscription, if any.")] = None
    tier: Annotated[str | None, msgspec.Meta(description="Subscriptions: the plan tier.")] = None
    interval: Annotated[str | None, msgspec.Meta(description="Subscriptions: `month` or `year`.")] = None
    status: Annotated[str | None, msgspec.Meta(description="Subscriptions: the Stripe status.")] = None
    current_period_end: Annotated[
        dt.datetime | None, msgspec.Meta(description="Subscriptions: when the current period ends.")
    ] = None
    cancel_at_period_end: Annotated[
        bool | None, msgspec.Meta(description="Subscriptions: whether it ends with the period.")
    ] = None
    amount_due: Annotated[int | None, msgspec.Meta(description="Subscriptions: minor units the invoice asks.")] = None
    attempt_count: Annotated[int | None, msgspec.Meta(description="Subscriptions: Stripe's attempts so far.")] = None
    action_required: Annotated[
        bool | None, msgspec.Meta(description="Subscriptions: the customer must authenticate (3-D Secure).")
    ] = None
    hosted_invoice_url: Annotated[
        str | None, msgspec.Meta(description="Subscriptions: where the customer pays the invoice.")
    ] = None
    next_payment_attempt: Annotated[
        dt.datetime | None, msgspec.Meta(description="Subscriptions: Stripe's next try; null: none.")
    ] = None
    order: Annotated[str | None, msgspec.Meta(description="Token packages: the order's id.")] = None
    package: Annotated[str | None, msgspec.Meta(description="Token packages: the package's id.")] = None
    reason: Annotated[str | None, msgspec.Meta(description="Token packages: why it failed (a code).")] = None
    amount: Annotated[int | None, msgspec.Meta(description="Token packages: minor units asked.")] = None

    schema_examples: ClassVar[Examples] = (
        {
            "customer": "acme",
            "subscription": "sub_1Q2w3E4r5T6y7U8i",
            "tier": "pro",
            "interval": "month",
            "status": "past_due",
            "current_period_end": "2026-04-02T00:00:00Z",
            "cancel_at_period_end": False,
            "invoice": "in_1Q2w3E4r5T6y7U8i",
            "amount_due": 2900,
            "currency": "usd",
            "attempt_count": 1,
            "action_required": False,
            "hosted_invoice_url": "https://invoice.stripe.com/i/acct_1/test_1",
            "next_payment_attempt": "2026-03-05T00:00:00Z",
        },
        {
            "customer": "acme",
            "order": "5f0c2a1e-8b7d-4c3a-9e6f-2d1b0a9c8e7f",
            "package": "starter",
            "reason": "async_payment_failed",
            "amount": 1000,
            "currency": "usd",
        },
    )
